using Microsoft.EntityFrameworkCore;

namespace ClickInsights.Core.Data;

public static class DatabaseMigrator
{
    /// <summary>Creates the database if it is new and applies every pending migration.</summary>
    public static async Task MigrateAsync(IDbContextFactory<ClickInsightsDbContext> factory, CancellationToken cancellationToken = default)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        await db.Database.MigrateAsync(cancellationToken);
        if (db.Database.IsSqlite())
        {
            // WAL lets the dashboard read while an import writes; the setting is stored in the file.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }
    }
}
