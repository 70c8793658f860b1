using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Npgsql;

namespace ClickInsights.Core.Data;

/// <summary>The two stores the dashboard runs on.</summary>
public enum StorageProvider
{
    /// <summary>An embedded file: nothing to set up (the default).</summary>
    Sqlite,
    /// <summary>A PostgreSQL server, for a team or a database past one machine.</summary>
    PostgreSQL,
}

/// <summary>Where the data is stored (configuration section <c>ClickInsights:Storage</c>).</summary>
public sealed partial class StorageOptions
{
    public const string Section = "ClickInsights:Storage";

    /// <summary>The PostgreSQL migrations' assembly (EF Core's layout for several providers: one migration set per provider).</summary>
    public const string PostgreSqlMigrationsAssembly = "ClickInsights.Migrations.PostgreSQL";

    public StorageProvider Provider { get; set; } = StorageProvider.Sqlite;

    /// <summary>What is wrong with these settings in words, or null.</summary>
    public string? Problem()
    {
        if (Provider != StorageProvider.PostgreSQL)
        {
            return null;
        }
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            return "ClickInsights:Storage:Provider is PostgreSQL but ClickInsights:Storage:ConnectionString is empty: set it to a postgresql:// URI or an Npgsql connection string (Host=…;Database=…).";
        }
        try
        {
            _ = new NpgsqlConnectionStringBuilder(ToNpgsql(ConnectionString));
            return null;
        }
        catch (Exception e) when (e is ArgumentException or UriFormatException or FormatException or KeyNotFoundException)
        {
            return $"ClickInsights:Storage:ConnectionString cannot be read: {e.Message}";
        }
    }

    /// <summary>PostgreSQL only: Npgsql's connection string (<c>Host=…;Database=…</c>) or a <c>postgresql://</c> URI.</summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>PostgreSQL only: the folder of this machine's own files (key ring, uploads); empty means the local application data folder.</summary>
    public string LocalFolder { get; set; } = "";

    /// <summary>
    /// Path of the SQLite file. Empty means the default: <c>clickinsights.db</c> in the user's local
    /// application data folder (<c>~/.local/share/ClickInsights</c> on Linux), shared by the dashboard and the CLI.
    /// </summary>
    public string DatabasePath { get; set; } = "";

    public static string DefaultDatabasePath => Path.Combine(
        Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create),
        "ClickInsights", "clickinsights.db");

    /// <summary>
    /// The SQLite file; on PostgreSQL, the local path that this machine's own files (key ring, uploads) are named after,
    /// one per server and database, so two databases never share a key ring.
    /// </summary>
    public string ResolvedDatabasePath => Provider == StorageProvider.PostgreSQL
        ? LocalPathOf(ConnectionString, LocalFolder)
        : string.IsNullOrWhiteSpace(DatabasePath) ? DefaultDatabasePath : Path.GetFullPath(DatabasePath);

    /// <summary>What <see cref="Configure(DbContextOptionsBuilder, string)"/> takes: the SQLite file, or the PostgreSQL connection string.</summary>
    public string Target => Provider == StorageProvider.PostgreSQL ? ConnectionString : ResolvedDatabasePath;

    /// <summary>The store in words for the log and the CLI (a PostgreSQL password is never shown).</summary>
    public static string Describe(string target) =>
        IsPostgreSql(target) && new NpgsqlConnectionStringBuilder(ToNpgsql(target)) is var b
            ? $"PostgreSQL database {b.Database} on {b.Host}:{b.Port}"
            : Path.GetFullPath(target);

    /// <summary>Whether a <c>--db</c> value or configured target names PostgreSQL (a URI or Npgsql's <c>Host=</c> form) rather than a file.</summary>
    public static bool IsPostgreSql(string target) =>
        target.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase)
        || target.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase)
        || target.TrimStart().StartsWith("Host=", StringComparison.OrdinalIgnoreCase);

    /// <summary>Npgsql's connection string from either form; a URI's user, password, host, port, database and query options are kept.</summary>
    public static string ToNpgsql(string target)
    {
        if (!target.Contains("://", StringComparison.Ordinal))
        {
            return target;
        }
        var uri = new Uri(target);
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = string.IsNullOrEmpty(uri.Host) ? "localhost" : uri.Host,
            Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port,
            Database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/')) is { Length: > 0 } database ? database : "postgres",
        };
        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            builder.Username = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
            if (colon >= 0)
            {
                builder.Password = Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
            }
        }
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]);
            var value = eq < 0 ? "" : Uri.UnescapeDataString(pair[(eq + 1)..]);
            // libpq's names for the options people put in URIs.
            builder[key switch { "sslmode" => "SSL Mode", "application_name" => "Application Name", "connect_timeout" => "Timeout", _ => key }] = value;
        }
        return builder.ConnectionString;
    }

    private static string LocalPathOf(string connectionString, string localFolder)
    {
        var b = new NpgsqlConnectionStringBuilder(ToNpgsql(connectionString));
        var name = string.Concat($"postgresql-{b.Host}-{b.Port}-{b.Database}".Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' ? c : '_'));
        var folder = string.IsNullOrWhiteSpace(localFolder) ? Path.GetDirectoryName(DefaultDatabasePath)! : Path.GetFullPath(localFolder);
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, name);
    }

    /// <summary>Configures the context for a SQLite file or, given a <c>postgresql://</c> URI or <c>Host=</c> connection string, for PostgreSQL.</summary>
    public static void Configure(DbContextOptionsBuilder builder, string target)
    {
        if (IsPostgreSql(target))
        {
            builder.UseNpgsql(ToNpgsql(target), npgsql => npgsql.MigrationsAssembly(PostgreSqlMigrationsAssembly));
            return;
        }
        var databasePath = target;
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
        // One migration rebuilds tables outside a transaction (SQLite cannot do it inside one); EF warns of a partial state
        // on every fresh start, which alarms a new user for nothing. A failed migration still fails the start, loudly.
        builder.ConfigureWarnings(warnings => warnings.Log((Microsoft.EntityFrameworkCore.Diagnostics.RelationalEventId.NonTransactionalMigrationOperationWarning, Microsoft.Extensions.Logging.LogLevel.Debug)));
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

/// <summary>Lets <c>dotnet ef</c> build the context for SQLite's migration set without starting the dashboard (PostgreSQL's set has its own, in its project).</summary>
internal sealed class DesignTimeContextFactory : IDesignTimeDbContextFactory<ClickInsightsDbContext>
{
    public ClickInsightsDbContext CreateDbContext(string[] args)
    {
        var builder = new DbContextOptionsBuilder<ClickInsightsDbContext>();
        StorageOptions.Configure(builder, Path.Combine(Path.GetTempPath(), "clickinsights-design.db"));
        return new ClickInsightsDbContext(builder.Options);
    }
}
