using ClickInsights.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace ClickInsights.Benchmarks;

internal sealed class ContextFactory(DbContextOptions<ClickInsightsDbContext> options) : IDbContextFactory<ClickInsightsDbContext>
{
    public ClickInsightsDbContext CreateDbContext() => new(options);
}
