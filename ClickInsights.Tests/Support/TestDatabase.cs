using ClickInsights.Core.Classification;
using ClickInsights.Core.Data;
using ClickInsights.Core.Demo;
using ClickInsights.Core.Import;
using Microsoft.EntityFrameworkCore;

namespace ClickInsights.Tests.Support;

/// <summary>A real SQLite file in a temporary folder, migrated like production, with the Core services over it.</summary>
public sealed class TestDatabase : IDisposable, IDbContextFactory<ClickInsightsDbContext>
{
    private readonly DbContextOptions<ClickInsightsDbContext> _options;

    public TestDatabase()
    {
        Folder = Path.Combine(Path.GetTempPath(), "clickinsights-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
        Path_ = System.IO.Path.Combine(Folder, "test.db");
        var builder = new DbContextOptionsBuilder<ClickInsightsDbContext>();
        StorageOptions.Configure(builder, Path_);
        _options = builder.Options;
        DatabaseMigrator.MigrateAsync(this).GetAwaiter().GetResult();
        Classification = new ClassificationService(this, ScannerCatalogue.Default, TimeProvider.System);
        Importer = new EventImporter(this, Classification, TimeProvider.System);
    }

    public string Folder { get; }
    public string Path_ { get; }
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
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
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
