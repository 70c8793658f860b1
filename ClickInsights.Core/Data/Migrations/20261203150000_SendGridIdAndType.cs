using ClickInsights.Core.Data;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClickInsights.Core.Data.Migrations
{
    /// <summary>
    /// No change of schema: stored SendGrid events get the ids the reader gives now, their <c>sg_event_id</c> with their
    /// kind (<c>…/click</c>), so that re-importing a file finds them again. Their hashes are cleared here and computed
    /// again by <see cref="DatabaseMigrator"/> right after the migrations.
    /// </summary>
    [DbContext(typeof(ClickInsightsDbContext))]
    [Migration("20261203150000_SendGridIdAndType")]
    public partial class SendGridIdAndType : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            var kinds = string.Join(" ", Enum.GetValues<EventType>().Select(t => $"WHEN {(int)t} THEN '{Import.SendGridReader.TypeName(t)}'"));
            migrationBuilder.Sql($"""
                UPDATE "Events" SET "ExternalId" = "ExternalId" || '/' || CASE "Type" {kinds} ELSE 'other' END, "IdHash" = 0
                WHERE "Source" = 'sendgrid';
                """);
        }

        protected override void Down(MigrationBuilder migrationBuilder)
        {
        }
    }
}
