using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClickInsights.Core.Data.Migrations
{
    /// <inheritdoc />
    public partial class WebhookKeys : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "WebhookKey",
                table: "Connections",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_Connections_WebhookKey",
                table: "Connections",
                column: "WebhookKey",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Connections_WebhookKey",
                table: "Connections");

            migrationBuilder.DropColumn(
                name: "WebhookKey",
                table: "Connections");
        }
    }
}
