namespace ClickInsights.Core.Providers;

/// <summary>What went wrong with a provider, in the words the Connections page shows.</summary>
public enum ProviderProblem
{
    /// <summary>The sign-in expired or was revoked: the user must connect again.</summary>
    Reconnect,
    /// <summary>The key, token or secret was refused.</summary>
    WrongKey,
    /// <summary>The provider's daily request allowance is used up.</summary>
    QuotaReached,
    /// <summary>The provider kept asking to slow down.</summary>
    Throttled,
    /// <summary>The provider answered with server errors or not at all.</summary>
    ProviderDown,
    /// <summary>The provider sent something that is not what its documentation describes.</summary>
    BadData,
    /// <summary>The provider does not know what was asked for (a campaign deleted meanwhile, a wrong domain).</summary>
    NotFound,
    /// <summary>The connection lacks something it needs (a key, a domain).</summary>
    Setup,
}

/// <summary>A provider call that failed, with a message a small business owner can act on. Never carries a secret.</summary>
public sealed class ProviderException(ProviderProblem problem, string message, Exception? inner = null) : Exception(message, inner)
{
    public ProviderProblem Problem { get; } = problem;
}
