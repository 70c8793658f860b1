using ClickInsights.Core.Data;
using ClickInsights.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace ClickInsights.Tests.Import;

public abstract class ContentIdTests(StoreKind store) : IDisposable
{
    private readonly TestDatabase _database = new(store);

    private const string TwoIdenticalClicks = """
        {"tracking_activities":[
          {"contact_id":"c1","campaign_activity_id":"98edac88-fb5e-4b2b-8e3a-1c0b2f0e8c51","tracking_activity_type":"em_clicks","email_address":"ann@lawfirm.com","device_type":"computer","url_id":"1","link_url":"https://shop.test/a","created_time":"2026-03-02T14:00:00.000Z"},
          {"contact_id":"c1","campaign_activity_id":"98edac88-fb5e-4b2b-8e3a-1c0b2f0e8c51","tracking_activity_type":"em_clicks","email_address":"ann@lawfirm.com","device_type":"computer","url_id":"1","link_url":"https://shop.test/a","created_time":"2026-03-02T14:00:00.000Z"}
        ],"_links":{}}
        """;

    [SkippableFact]
    public async Task IdenticalRecordsInOneFile_AreTwoEvents_AndReimportAddsNothing()
    {
        var workspace = await _database.CreateWorkspaceAsync();

        var first = await _database.Importer.ImportAsync(workspace, Samples.Utf8(TwoIdenticalClicks), "clicks.json");
        var again = await _database.Importer.ImportAsync(workspace, Samples.Utf8(TwoIdenticalClicks), "clicks.json");

        Assert.Equal(2, first.EventsAdded);
        Assert.Equal(0, again.EventsAdded);
        await using var db = _database.CreateDbContext();
        Assert.Equal(2, await db.Events.CountAsync(e => e.Type == EventType.Click));
    }

    public void Dispose() => _database.Dispose();
}

/// <summary><see cref="ContentIdTests"/> on SQLite.</summary>
public sealed class ContentIdTestsOnSqlite() : ContentIdTests(StoreKind.Sqlite);

/// <summary><see cref="ContentIdTests"/> on PostgreSQL.</summary>
public sealed class ContentIdTestsOnPostgreSql() : ContentIdTests(StoreKind.PostgreSql);
