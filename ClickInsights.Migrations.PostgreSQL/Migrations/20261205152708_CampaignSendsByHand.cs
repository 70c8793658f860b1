using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClickInsights.Migrations.PostgreSQL.Migrations
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
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "DeliveredByHand",
                table: "Campaigns",
                type: "integer",
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
