using ClickInsights.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace ClickInsights.Migrations.PostgreSQL;

/// <summary>
/// Builds the context for PostgreSQL when <c>dotnet ef</c> adds a migration to this set (no server is needed). From
/// the repository root:
/// <code>dotnet ef migrations add NAME --project ClickInsights.Migrations.PostgreSQL --startup-project ClickInsights.Migrations.PostgreSQL --output-dir Migrations</code>
/// SQLite's set is added the same way in ClickInsights.Core (see <see cref="ClickInsightsDbContext"/>); a migration is
/// added to both sets, and a test checks that each matches the model.
/// </summary>
internal sealed class DesignTimeContextFactory : IDesignTimeDbContextFactory<ClickInsightsDbContext>
{
    public ClickInsightsDbContext CreateDbContext(string[] args)
    {
        var builder = new DbContextOptionsBuilder<ClickInsightsDbContext>();
        StorageOptions.Configure(builder, "Host=localhost;Database=clickinsights_design");
        return new ClickInsightsDbContext(builder.Options);
    }
}
