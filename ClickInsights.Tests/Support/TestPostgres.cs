using ClickInsights.Core.Data;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace ClickInsights.Tests.Support;

/// <summary>
/// The PostgreSQL server the tests run on, named by <see cref="Variable"/> (an Npgsql connection string or a
/// <c>postgresql://</c> URI to a role that may create databases; <c>.ci/run</c> starts a throw-away cluster and sets it).
/// Each test gets a database of its own, copied from a template migrated once per test run. In CI (<c>CI=true</c>) a
/// missing server fails the PostgreSQL tests; elsewhere they are skipped with a message naming the variable.
/// </summary>
public static class TestPostgres
{
    public const string Variable = "CLICKINSIGHTS_TEST_POSTGRES";

    private static readonly Lock Creating = new();
    private static string? _template;

    public static string? Server => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value ? StorageOptions.ToNpgsql(value) : null;

    /// <summary>Whether this is a CI run (<c>CI=true</c>), where a missing server fails the PostgreSQL tests instead of skipping them.</summary>
    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Points a dashboard under test at a PostgreSQL database, its key ring and uploads in <paramref name="localFolder"/>.</summary>
    public static IWebHostBuilder UsePostgreSql(this IWebHostBuilder builder, string connectionString, string localFolder) => builder
        .UseSetting("ClickInsights:Storage:Provider", "PostgreSQL")
        .UseSetting("ClickInsights:Storage:ConnectionString", connectionString)
        .UseSetting("ClickInsights:Storage:LocalFolder", localFolder);

    /// <summary>Skips the test (outside CI) or fails it (in CI) when no server is named.</summary>
    public static string RequireServer()
    {
        if (Server is { } server)
        {
            return server;
        }
        if (InCi)
        {
            throw new InvalidOperationException($"CI=true but {Variable} is not set: .ci/run starts a PostgreSQL cluster and sets it; the PostgreSQL tests cannot run without one.");
        }
        Skip.If(true, $"PostgreSQL test: set {Variable} to a server (e.g. Host=127.0.0.1;Port=5432;Username=postgres) to run it.");
        throw new InvalidOperationException("unreachable");
    }

    /// <summary>A new, migrated database: its name and its connection string.</summary>
    public static (string Name, string ConnectionString) CreateDatabase()
    {
        var server = RequireServer();
        var template = Template(server);
        var name = "ci_test_" + Guid.NewGuid().ToString("N");
        Execute(server, $"""CREATE DATABASE "{name}" TEMPLATE "{template}" """);
        return (name, WithDatabase(server, name));
    }

    public static void Drop(string name)
    {
        if (Server is not { } server)
        {
            return;
        }
        using (var pooled = new NpgsqlConnection(WithDatabase(server, name)))
        {
            NpgsqlConnection.ClearPool(pooled);
        }
        Execute(server, $"""DROP DATABASE IF EXISTS "{name}" WITH (FORCE)""");
    }

    public static string WithDatabase(string server, string database) =>
        new NpgsqlConnectionStringBuilder(server) { Database = database, Pooling = true }.ConnectionString;

    /// <summary>An empty database of its own, not migrated (for tests of the migration itself and of first start).</summary>
    public static (string Name, string ConnectionString) CreateEmptyDatabase()
    {
        var server = RequireServer();
        var name = "ci_test_" + Guid.NewGuid().ToString("N");
        Execute(server, $"""CREATE DATABASE "{name}" """);
        return (name, WithDatabase(server, name));
    }

    private static string Template(string server)
    {
        lock (Creating)
        {
            if (_template is not null)
            {
                return _template;
            }
            var name = $"ci_template_{Environment.ProcessId}_{Guid.NewGuid():N}";
            Execute(server, $"""CREATE DATABASE "{name}" """);
            var builder = new DbContextOptionsBuilder<ClickInsightsDbContext>();
            StorageOptions.Configure(builder, WithDatabase(server, name));
            using (var db = new ClickInsightsDbContext(builder.Options))
            {
                db.Database.Migrate();
            }
            // A template is copied only while nobody is connected to it.
            NpgsqlConnection.ClearAllPools();
            AppDomain.CurrentDomain.ProcessExit += (_, _) =>
            {
                try
                {
                    Execute(server, $"""DROP DATABASE IF EXISTS "{name}" WITH (FORCE)""");
                }
                catch (NpgsqlException)
                {
                    // The server went first (CI stops it after the run).
                }
            };
            return _template = name;
        }
    }

    private static void Execute(string server, string sql)
    {
        using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(server) { Pooling = false }.ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
