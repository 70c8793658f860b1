using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClickInsights.Core.Data.Migrations
{
    /// <inheritdoc />
    public partial class WebhookTokens : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "WebhookTokens",
                columns: table => new
                {
                    Token = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Until = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_WebhookTokens", x => x.Token);
                });

            migrationBuilder.CreateIndex(
                name: "IX_WebhookTokens_Until",
                table: "WebhookTokens",
                column: "Until");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "WebhookTokens");
        }
    }
}
