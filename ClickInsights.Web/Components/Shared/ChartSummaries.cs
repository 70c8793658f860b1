using ClickInsights.Core.Reports;

namespace ClickInsights.Web.Components.Shared;

/// <summary>The one sentence a screen reader hears for each chart: what it shows and what stands out in it.</summary>
public static class ChartSummaries
{
    public static string Links(IReadOnlyList<LinkRow> links)
    {
        if (links.Count == 0)
        {
            return "No link was clicked.";
        }
        var top = links.Select((l, i) => (Link: l, Number: i + 1)).MaxBy(x => x.Link.RawClicks);
        return $"Bar chart of {Show.Count(links.Count, "link")}: {Show.Count(links.Sum(l => l.RawClicks), "reported click")} in all, {Show.Number(links.Sum(l => l.HumanClicks))} by people. " +
               $"Link {top.Number} has the most: {Show.Count(top.Link.RawClicks, "reported click")}, {Show.Number(top.Link.HumanClicks)} by people.";
    }

    public static string Delays(IReadOnlyList<DelayBucket> buckets)
    {
        var total = buckets.Sum(b => b.Human + b.Suspect + b.Bot);
        if (total == 0)
        {
            return "Stacked bar chart of clicks by time after delivery: no clicks.";
        }
        var bots = buckets.Where(b => b.Bot > 0).Select(b => b.Label).ToList();
        var people = buckets.Where(b => b.Human > 0).Select(b => b.Label).ToList();
        return $"Stacked bar chart of {Show.Count(total, "click")} by time after delivery: {Show.Number(buckets.Sum(b => b.Human))} by people" +
               (people.Count > 0 ? $" (from {people[0]} to {people[^1]})" : "") +
               $", {Show.Number(buckets.Sum(b => b.Suspect))} suspect, {Show.Number(buckets.Sum(b => b.Bot))} by bots" +
               (bots.Count > 0 ? $" (from {bots[0]} to {bots[^1]})." : ".");
    }

    public static string Trend(IReadOnlyList<CampaignRow> oldestFirst)
    {
        if (oldestFirst.Count == 0)
        {
            return "Line chart of click rates: no campaign with a known number of deliveries.";
        }
        var last = oldestFirst[^1];
        return $"Line chart of the reported and the real click rate of {Show.Count(oldestFirst.Count, "campaign")}, oldest first. " +
               $"The last, {last.Name}: reported {Show.Percent(last.RawClickRate)}, real {Show.Percent(last.RealClickRate)}.";
    }

    public static string Domains(IReadOnlyList<DomainRow> rows)
    {
        if (rows.Count == 0)
        {
            return "Bar chart of clicks by scanners and by people per domain: no domain with scanner clicks.";
        }
        var top = rows[0];
        return $"Bar chart of clicks by scanners and by people for the {Show.Count(rows.Count, "domain")} with the most scanner clicks. " +
               $"First, {top.Domain}: {Show.Count(top.BotClicks, "scanner click")}, {Show.Number(top.HumanClicks)} by people.";
    }
}
