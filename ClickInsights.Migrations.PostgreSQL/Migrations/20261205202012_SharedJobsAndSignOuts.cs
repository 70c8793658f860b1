using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClickInsights.Migrations.PostgreSQL.Migrations
{
    /// <inheritdoc />
    public partial class SharedJobsAndSignOuts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "RequestedBy",
                table: "Jobs",
                type: "character varying(256)",
                maxLength: 256,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Result",
                table: "Jobs",
                type: "character varying(500)",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "StopRequestedAt",
                table: "Jobs",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "SignedOutSessions",
                columns: table => new
                {
                    Session = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Until = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SignedOutSessions", x => x.Session);
                });

            migrationBuilder.CreateIndex(
                name: "IX_SignedOutSessions_Until",
                table: "SignedOutSessions",
                column: "Until");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "SignedOutSessions");

            migrationBuilder.DropColumn(
                name: "RequestedBy",
                table: "Jobs");

            migrationBuilder.DropColumn(
                name: "Result",
                table: "Jobs");

            migrationBuilder.DropColumn(
                name: "StopRequestedAt",
                table: "Jobs");
        }
    }
}
