using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace ClickInsights.Core.Data;

/// <summary>Where the embedded SQLite database lives (configuration section <c>ClickInsights:Storage</c>).</summary>
public sealed class StorageOptions
{
    public const string Section = "ClickInsights:Storage";

    /// <summary>
    /// Path of the SQLite file. Empty means the default: <c>clickinsights.db</c> in the user's local
    /// application data folder (<c>~/.local/share/ClickInsights</c> on Linux), shared by the dashboard and the CLI.
    /// </summary>
    public string DatabasePath { get; set; } = "";

    public static string DefaultDatabasePath => Path.Combine(
        Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create),
        "ClickInsights", "clickinsights.db");

    public string ResolvedDatabasePath => string.IsNullOrWhiteSpace(DatabasePath) ? DefaultDatabasePath : Path.GetFullPath(DatabasePath);

    public static void Configure(DbContextOptionsBuilder builder, string databasePath)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(databasePath));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }
        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Pooling = true,
            DefaultTimeout = 60,
        }.ToString();
        builder.UseSqlite(connectionString, sqlite => sqlite.MigrationsAssembly(typeof(ClickInsightsDbContext).Assembly.GetName().Name));
    }
}

/// <summary>Lets <c>dotnet ef</c> build the context without starting the dashboard.</summary>
internal sealed class DesignTimeContextFactory : IDesignTimeDbContextFactory<ClickInsightsDbContext>
{
    public ClickInsightsDbContext CreateDbContext(string[] args)
    {
        var builder = new DbContextOptionsBuilder<ClickInsightsDbContext>();
        StorageOptions.Configure(builder, Path.Combine(Path.GetTempPath(), "clickinsights-design.db"));
        return new ClickInsightsDbContext(builder.Options);
    }
}
