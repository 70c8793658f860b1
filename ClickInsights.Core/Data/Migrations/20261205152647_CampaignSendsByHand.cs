using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClickInsights.Core.Data.Migrations
{
    /// <inheritdoc />
    public partial class CampaignSendsByHand : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
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
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "CountsGivenBy",
                table: "Campaigns");

            migrationBuilder.DropColumn(
                name: "DeliveredByHand",
                table: "Campaigns");

            migrationBuilder.DropColumn(
                name: "SentByHand",
                table: "Campaigns");

            migrationBuilder.DropColumn(
                name: "DeliveredByHand",
                table: "CampaignSummaries");
        }
    }
}
