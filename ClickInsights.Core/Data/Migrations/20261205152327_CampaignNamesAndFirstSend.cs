using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClickInsights.Core.Data.Migrations
{
    /// <inheritdoc />
    public partial class CampaignNamesAndFirstSend : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "NameGivenBy",
                table: "Campaigns",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "FirstEventAt",
                table: "CampaignSummaries",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "FirstSentAt",
                table: "CampaignSummaries",
                type: "TEXT",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "NameGivenBy",
                table: "Campaigns");

            migrationBuilder.DropColumn(
                name: "FirstEventAt",
                table: "CampaignSummaries");

            migrationBuilder.DropColumn(
                name: "FirstSentAt",
                table: "CampaignSummaries");
        }
    }
}
