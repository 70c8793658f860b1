using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClickInsights.Migrations.PostgreSQL.Migrations
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
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "CountsGivenBy",
                table: "Campaigns",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "DeliveredByHand",
                table: "Campaigns",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "NameGivenBy",
                table: "Campaigns",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "SentByHand",
                table: "Campaigns",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "DeliveredByHand",
                table: "CampaignSummaries",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<DateTime>(
                name: "FirstEventAt",
                table: "CampaignSummaries",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "FirstSentAt",
                table: "CampaignSummaries",
                type: "timestamp with time zone",
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
