using ClickInsights.Core.Classification;
using ClickInsights.Core.Data;
using ClickInsights.Core.Demo;
using ClickInsights.Core.Import;
using Microsoft.EntityFrameworkCore;

namespace ClickInsights.Tests.Support;

/// <summary>The store a test runs on.</summary>
public enum StoreKind
{
    Sqlite,
    PostgreSql,
}

/// <summary>
/// A real database migrated like production, with the Core services over it: a SQLite file in a temporary folder, or
/// a PostgreSQL database of its own on the server <see cref="TestPostgres.Variable"/> names (made from a migrated
/// template, dropped at the end).
/// </summary>
public sealed class TestDatabase : IDisposable, IDbContextFactory<ClickInsightsDbContext>
{
    private readonly DbContextOptions<ClickInsightsDbContext> _options;
    private readonly string? _postgresDatabase;

    public TestDatabase() : this(StoreKind.Sqlite)
    {
    }

    public TestDatabase(StoreKind store)
    {
        Store = store;
        Folder = Path.Combine(Path.GetTempPath(), "clickinsights-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
        var builder = new DbContextOptionsBuilder<ClickInsightsDbContext>();
        if (store == StoreKind.PostgreSql)
        {
            (_postgresDatabase, Target) = TestPostgres.CreateDatabase();
            Path_ = Target;
        }
        else
        {
            Path_ = System.IO.Path.Combine(Folder, "test.db");
            Target = Path_;
        }
        StorageOptions.Configure(builder, Target);
        _options = builder.Options;
        DatabaseMigrator.MigrateAsync(this).GetAwaiter().GetResult();
        Classification = new ClassificationService(this, ScannerCatalogue.Default, TimeProvider.System);
        Importer = new EventImporter(this, Classification, TimeProvider.System);
    }

    public StoreKind Store { get; }
    public string Folder { get; }
    /// <summary>The SQLite file, or the PostgreSQL connection string.</summary>
    public string Path_ { get; }
    /// <summary>What <c>--db</c> and <see cref="StorageOptions.Configure(DbContextOptionsBuilder, string)"/> take for this database.</summary>
    public string Target { get; }
    /// <summary>The dashboard's storage settings for this database (its local files in <see cref="Folder"/>).</summary>
    public StorageOptions Options => Store == StoreKind.PostgreSql
        ? new StorageOptions { Provider = StorageProvider.PostgreSQL, ConnectionString = Target, LocalFolder = Folder }
        : new StorageOptions { DatabasePath = Path_ };

    public ClassificationService Classification { get; }
    public EventImporter Importer { get; }

    public ClickInsightsDbContext CreateDbContext() => new(_options);

    public async Task<int> CreateWorkspaceAsync(string name = "Test workspace", DateTime? passedAt = null)
    {
        await using var db = CreateDbContext();
        var workspace = new Workspace { Name = name, CreatedAt = DateTime.UtcNow, AuthFirstPassedAt = passedAt };
        db.Workspaces.Add(workspace);
        await db.SaveChangesAsync();
        return workspace.Id;
    }

    public async Task<int> SeedDemoAsync()
    {
        var seeder = new DemoSeeder(this, Importer, TimeProvider.System);
        await seeder.SeedIfEmptyAsync();
        await using var db = CreateDbContext();
        return (await db.Workspaces.SingleAsync()).Id;
    }

    public void Dispose()
    {
        if (_postgresDatabase is not null)
        {
            TestPostgres.Drop(_postgresDatabase);
        }
        else
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        }
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still open on some platforms; the temp folder is cleaned eventually.
        }
    }
}
