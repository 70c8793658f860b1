using ClickInsights.Core.Data;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClickInsights.Core.Data.Migrations
{
    /// <summary>
    /// No change of schema: marks the one-time data step that gives stored Constant Contact activities their new ids
    /// (without the contact's changing fields), which <see cref="DatabaseMigrator"/> runs when this migration is applied.
    /// </summary>
    [DbContext(typeof(ClickInsightsDbContext))]
    [Migration(DatabaseMigrator.ConstantContactStableIds)]
    public partial class ConstantContactStableIds : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
        }

        protected override void Down(MigrationBuilder migrationBuilder)
        {
        }
    }
}
