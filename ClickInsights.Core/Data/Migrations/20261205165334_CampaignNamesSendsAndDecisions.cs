using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClickInsights.Core.Data.Migrations
{
    /// <inheritdoc />
    public partial class CampaignNamesSendsAndDecisions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "CreatedBy",
                table: "Overrides",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "CountsGivenBy",
                table: "Campaigns",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "DeliveredByHand",
                table: "Campaigns",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "NameGivenBy",
                table: "Campaigns",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "SentByHand",
                table: "Campaigns",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "DeliveredByHand",
                table: "CampaignSummaries",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

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
                name: "CreatedBy",
                table: "Overrides");

            migrationBuilder.DropColumn(
                name: "CountsGivenBy",
                table: "Campaigns");

            migrationBuilder.DropColumn(
                name: "DeliveredByHand",
                table: "Campaigns");

            migrationBuilder.DropColumn(
                name: "NameGivenBy",
                table: "Campaigns");

            migrationBuilder.DropColumn(
                name: "SentByHand",
                table: "Campaigns");

            migrationBuilder.DropColumn(
                name: "DeliveredByHand",
                table: "CampaignSummaries");

            migrationBuilder.DropColumn(
                name: "FirstEventAt",
                table: "CampaignSummaries");

            migrationBuilder.DropColumn(
                name: "FirstSentAt",
                table: "CampaignSummaries");
        }
    }
}
