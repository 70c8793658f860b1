using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace ClickInsights.Core.Data;

/// <summary>Where the embedded SQLite database lives (configuration section <c>ClickInsights:Storage</c>).</summary>
public sealed partial class StorageOptions
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
        OwnerOnly(databasePath);
        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Pooling = true,
            DefaultTimeout = 60,
        }.ToString();
        builder.UseSqlite(connectionString, sqlite => sqlite.MigrationsAssembly(typeof(ClickInsightsDbContext).Assembly.GetName().Name));
    }
}

public sealed partial class StorageOptions
{
    private const UnixFileMode ReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>
    /// The database holds every recipient's address and IP: it is made readable by its owner only, before SQLite opens
    /// it, and SQLite gives its WAL and shared-memory files the same permissions. An existing file is tightened too.
    /// </summary>
    public static void OwnerOnly(string databasePath)
    {
        if (OperatingSystem.IsWindows() || databasePath == ":memory:")
        {
            return;
        }
        try
        {
            if (!File.Exists(databasePath))
            {
                // An empty file is an empty SQLite database.
                using var created = new FileStream(databasePath, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = ReadWrite });
            }
            foreach (var file in new[] { databasePath, databasePath + "-wal", databasePath + "-shm" })
            {
                if (File.Exists(file) && (File.GetUnixFileMode(file) & ~ReadWrite) != 0)
                {
                    File.SetUnixFileMode(file, ReadWrite);
                }
            }
        }
        catch (IOException)
        {
            // Created at the same moment by another process (the CLI and the dashboard): SQLite opens it either way.
        }
        catch (UnauthorizedAccessException)
        {
            // Someone else's file, opened read-write through a group: left as its owner set it.
        }
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
