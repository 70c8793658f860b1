using System.ComponentModel.DataAnnotations;
using System.Net;

namespace ClickInsights.Core.Authentication;

/// <summary>Which DNS server answers the checks (section <c>ClickInsights:Dns</c>).</summary>
public sealed class DnsOptions : IValidatableObject
{
    public const string Section = "ClickInsights:Dns";

    /// <summary>IP address of the DNS server; empty means the machine's own resolvers.</summary>
    public string? Server { get; set; }

    [Range(1, 65535)]
    public int Port { get; set; } = 53;

    /// <summary>How long to wait for one answer before calling the server unreachable.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Further tries after a timeout.</summary>
    [Range(0, 5)]
    public int Retries { get; set; } = 1;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrWhiteSpace(Server) && !IPAddress.TryParse(Server, out _))
        {
            yield return new ValidationResult($"ClickInsights:Dns:Server must be an IP address, not '{Server}'.", [nameof(Server)]);
        }
        if (Timeout <= TimeSpan.Zero || Timeout > TimeSpan.FromMinutes(1))
        {
            yield return new ValidationResult("ClickInsights:Dns:Timeout must be between 0 and 1 minute.", [nameof(Timeout)]);
        }
    }
}
