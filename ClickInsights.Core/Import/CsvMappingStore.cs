using ClickInsights.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace ClickInsights.Core.Import;

/// <summary>The column mappings people chose, remembered per header set and offered again for files with the same header row.</summary>
public sealed class CsvMappingStore(IDbContextFactory<ClickInsightsDbContext> dbFactory, TimeProvider time)
{
    public async Task<CsvColumnMapping?> FindAsync(string headerKey, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var json = await db.CsvMappings.AsNoTracking().Where(m => m.HeaderKey == headerKey).Select(m => m.MappingJson).FirstOrDefaultAsync(cancellationToken);
        return json is null ? null : CsvColumnMapping.FromJson(json);
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
        stored.MappingJson = mapping.ToJson();
        stored.UpdatedAt = time.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(cancellationToken);
    }
}
