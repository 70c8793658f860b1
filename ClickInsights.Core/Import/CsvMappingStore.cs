using ClickInsights.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace ClickInsights.Core.Import;

/// <summary>The column mappings people chose, remembered per header set and offered again for files with the same header row.</summary>
public sealed class CsvMappingStore(IDbContextFactory<ClickInsightsDbContext> dbFactory, TimeProvider time)
{
    /// <summary>
    /// The mapping remembered for a header row. Without a campaign column, the file is one campaign named after
    /// <paramref name="fileName"/>: next month's export with the same columns is next month's campaign, not last month's.
    /// </summary>
    public async Task<CsvColumnMapping?> FindAsync(string headerKey, string fileName, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var json = await db.CsvMappings.AsNoTracking().Where(m => m.HeaderKey == headerKey).Select(m => m.MappingJson).FirstOrDefaultAsync(cancellationToken);
        if (json is null || CsvColumnMapping.FromJson(json) is not { } mapping)
        {
            return null;
        }
        return string.IsNullOrWhiteSpace(mapping.Campaign) ? mapping with { CampaignName = CsvHeader.CampaignNameFromFile(fileName) } : mapping;
    }

    public async Task SaveAsync(CsvHeader header, CsvColumnMapping mapping, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var stored = await db.CsvMappings.FirstOrDefaultAsync(m => m.HeaderKey == header.Key, cancellationToken);
        if (stored is null)
        {
            stored = new CsvMapping { HeaderKey = header.Key, Headers = "", MappingJson = "" };
            db.CsvMappings.Add(stored);
        }
        stored.Headers = string.Join(header.Delimiter, header.Columns);
        // The columns are remembered, not one file's campaign name (it comes from each file's name).
        stored.MappingJson = (string.IsNullOrWhiteSpace(mapping.Campaign) ? mapping with { CampaignName = null } : mapping).ToJson();
        stored.UpdatedAt = time.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(cancellationToken);
    }
}
