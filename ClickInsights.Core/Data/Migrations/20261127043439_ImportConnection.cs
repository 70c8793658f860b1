using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClickInsights.Core.Data.Migrations
{
    /// <summary>
    /// Imports record the connection that fetched or received them (those are not offered for removal), and campaigns
    /// the import that first stored them (removing that import removes them when they are left without events).
    /// </summary>
    public partial class ImportConnection : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "ConnectionId",
                table: "Imports",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "ImportId",
                table: "Campaigns",
                type: "INTEGER",
                nullable: true);

            // Sync pages and webhook batches stored before: their names start with the provider of one of the
            // workspace's connections ("mailgun/…", "sendgrid/webhook/…"), which is what marks them now.
            migrationBuilder.Sql("""
                UPDATE "Imports" SET "ConnectionId" = (
                    SELECT c."Id" FROM "Connections" c
                    WHERE c."WorkspaceId" = "Imports"."WorkspaceId" AND substr("Imports"."FileName", 1, length(c."Provider") + 1) = c."Provider" || '/'
                    ORDER BY c."Id" LIMIT 1)
                WHERE "ConnectionId" IS NULL
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "ConnectionId",
                table: "Imports");

            migrationBuilder.DropColumn(
                name: "ImportId",
                table: "Campaigns");
        }
    }
}
