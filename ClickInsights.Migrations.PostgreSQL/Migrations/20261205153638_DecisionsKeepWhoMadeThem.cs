using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClickInsights.Migrations.PostgreSQL.Migrations
{
    /// <inheritdoc />
    public partial class DecisionsKeepWhoMadeThem : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "CreatedBy",
                table: "Overrides",
                type: "text",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "CreatedBy",
                table: "Overrides");
        }
    }
}
