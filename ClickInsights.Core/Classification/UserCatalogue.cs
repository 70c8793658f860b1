using System.Text.Json;
using System.Text.Json.Serialization;

namespace ClickInsights.Core.Classification;

/// <summary>A workspace's own scanner catalogue entries, stored as JSON on the workspace.</summary>
public sealed record UserCatalogue(List<UserAgentEntry> UserAgents, List<NetworkEntry> Networks, List<MxEntry> Mx)
{
    public bool IsEmpty => UserAgents.Count == 0 && Networks.Count == 0 && Mx.Count == 0;

    public static UserCatalogue Empty => new([], [], []);

    public static UserCatalogue Parse(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return Empty;
        }
        var parsed = JsonSerializer.Deserialize(json, UserCatalogueJsonContext.Default.UserCatalogue) ?? Empty;
        foreach (var network in parsed.Networks)
        {
            if (!System.Net.IPNetwork.TryParse(network.Cidr, out _))
            {
                throw new InvalidDataException($"'{network.Cidr}' is not a network in CIDR notation (for example 203.0.113.0/24).");
            }
        }
        return parsed;
    }

    public string ToJson() => JsonSerializer.Serialize(this, UserCatalogueJsonContext.Default.UserCatalogue);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true, PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(UserCatalogue))]
internal sealed partial class UserCatalogueJsonContext : JsonSerializerContext;
