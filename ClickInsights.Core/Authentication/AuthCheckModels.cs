using System.Text.Json;
using System.Text.Json.Serialization;

namespace ClickInsights.Core.Authentication;

public enum CheckStatus
{
    Pass,
    Warn,
    Fail,
    /// <summary>Could not be checked (DNS did not answer, no network, missing input); never a verdict on the domain.</summary>
    Unknown,
}

/// <summary>A DNS record to add or change. <see cref="Note"/> says which part to copy from the provider when the value is not exact.</summary>
public sealed record DnsRecordFix(string Name, string Type, string Value, string? Note = null);

/// <summary>The outcome of one part of the check, in plain language, with the records that would fix it.</summary>
public sealed record CheckItem(string Key, string Title, CheckStatus Status, string Summary)
{
    /// <summary>What was found, one line each, for people who want the technical detail.</summary>
    public IReadOnlyList<string> Details { get; init; } = [];
    public IReadOnlyList<DnsRecordFix> Fixes { get; init; } = [];
}

public sealed record AuthCheckResult(string Domain, string? ProviderKey, DateTime CheckedAt, CheckItem Spf, CheckItem Dkim, CheckItem Dmarc, CheckItem Alignment)
{
    [JsonIgnore]
    public IReadOnlyList<CheckItem> Items => [Spf, Dkim, Dmarc, Alignment];

    /// <summary>SPF has the provider's include, DKIM is published and aligns, and DMARC is published.</summary>
    [JsonIgnore]
    public bool Passed => Items.All(i => i.Status == CheckStatus.Pass);

    [JsonIgnore]
    public CheckStatus Overall =>
        Passed ? CheckStatus.Pass
        : Items.Any(i => i.Status == CheckStatus.Fail) ? CheckStatus.Fail
        : Items.Any(i => i.Status == CheckStatus.Unknown) ? CheckStatus.Unknown
        : CheckStatus.Warn;

    [JsonIgnore]
    public string Headline => Overall switch
    {
        CheckStatus.Pass => $"{Domain} is set up: receivers can tell your campaigns really come from you.",
        CheckStatus.Fail => $"{Domain} is not fully set up yet: {Count(CheckStatus.Fail)} {Needs(CheckStatus.Fail)} fixing. Receivers may treat your campaigns with more suspicion.",
        CheckStatus.Unknown => $"Some records of {Domain} could not be checked just now; see below why, and check again later.",
        _ => $"{Domain} mostly works; {Count(CheckStatus.Warn)} could be better.",
    };

    private string Needs(CheckStatus status) => Items.Count(i => i.Status == status) == 1 ? "needs" : "need";

    private string Count(CheckStatus status)
    {
        var names = Items.Where(i => i.Status == status).Select(i => i.Title).ToList();
        return names.Count == 1 ? names[0] : string.Join(", ", names[..^1]) + " and " + names[^1];
    }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>The stored result, or null when there is none or it was written by an incompatible version.</summary>
    public static AuthCheckResult? FromJson(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize<AuthCheckResult>(json, Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

public sealed record AuthCheckProgress(int Done, int Total, string Step);
