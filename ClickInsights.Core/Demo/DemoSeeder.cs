using ClickInsights.Core.Data;
using ClickInsights.Core.Import;
using Microsoft.EntityFrameworkCore;

namespace ClickInsights.Core.Demo;

/// <summary>Creates the demo workspace on an empty database, through the same import path as a user's file.</summary>
public sealed class DemoSeeder(IDbContextFactory<ClickInsightsDbContext> dbFactory, EventImporter importer, TimeProvider time)
{
    public const string WorkspaceName = "Riverside Bakery (demo)";

    public async Task<bool> SeedIfEmptyAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (await db.Workspaces.AnyAsync(cancellationToken))
        {
            return false;
        }
        var workspace = new Workspace
        {
            Name = WorkspaceName,
            SendingDomain = "riversidebakery.com",
            SendingProvider = "sendgrid",
            IsDemo = true,
            CreatedAt = time.GetUtcNow().UtcDateTime,
        };
        db.Workspaces.Add(workspace);
        await db.SaveChangesAsync(cancellationToken);

        using var file = new MemoryStream();
        DemoSimulator.WriteSendGridJson(new DemoSimulator(SimulatorOptions.Demo).Generate(), file);
        file.Position = 0;
        await importer.ImportAsync(workspace.Id, file, "demo-sendgrid-events.json", cancellationToken: cancellationToken);
        return true;
    }
}
