using ClickInsights.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace ClickInsights.Core.Authentication;

/// <summary>A workspace's sender authentication settings and its last check.</summary>
public sealed record AuthState(
    int WorkspaceId,
    bool IsDemo,
    string? SendingDomain,
    string? Provider,
    string? Selector,
    DateTime? LastCheckedAt,
    DateTime? FirstPassedAt,
    AuthCheckResult? LastResult);

/// <summary>Saves the sending domain and provider on the workspace, runs the check and remembers when it first passed.</summary>
public sealed class AuthenticationService(IDbContextFactory<ClickInsightsDbContext> dbFactory, SenderAuthChecker checker, TimeProvider time)
{
    public async Task<AuthState?> LoadAsync(int workspaceId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var w = await db.Workspaces.AsNoTracking().FirstOrDefaultAsync(w => w.Id == workspaceId, cancellationToken);
        return w is null ? null : new AuthState(w.Id, w.IsDemo, w.SendingDomain, w.SendingProvider, w.DkimSelector, w.AuthLastCheckedAt, w.AuthFirstPassedAt,
            AuthCheckResult.FromJson(w.AuthLastResultJson));
    }

    /// <summary>Saves the settings; returns a sentence for the person when the input is not usable, else null.</summary>
    public async Task<string?> SaveSettingsAsync(int workspaceId, string? domain, string? provider, string? selector, CancellationToken cancellationToken = default)
    {
        var normalised = SendingDomain.Normalise(domain);
        if (normalised is null)
        {
            return string.IsNullOrWhiteSpace(domain)
                ? "Enter the domain of your From address, for example yourbusiness.com."
                : $"\"{domain}\" is not a domain name. Enter the part after the @ of your From address, for example yourbusiness.com.";
        }
        if (!string.IsNullOrWhiteSpace(provider) && SendingProviders.Find(provider) is null)
        {
            return $"\"{provider}\" is not a provider ClickInsights knows.";
        }
        var cleanSelector = DkimChecker.NormaliseSelector(selector);
        if (cleanSelector is not null && !cleanSelector.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            return $"\"{selector}\" is not a DKIM selector: it is the part before ._domainkey, for example s1.";
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var w = await db.Workspaces.FirstOrDefaultAsync(w => w.Id == workspaceId, cancellationToken);
        if (w is null)
        {
            return "This workspace no longer exists.";
        }
        var cleanProvider = NullIfEmpty(provider)?.ToLowerInvariant();
        var otherSender = w.SendingDomain != normalised || w.SendingProvider != cleanProvider;
        var changed = otherSender || w.DkimSelector != cleanSelector;
        if (otherSender)
        {
            // "Since authentication passed on …" was about the old domain or provider; the new one has not passed yet.
            w.AuthFirstPassedAt = null;
        }
        w.SendingDomain = normalised;
        w.SendingProvider = cleanProvider;
        w.DkimSelector = cleanSelector;
        if (changed)
        {
            // The last result described other settings; showing it would mislead.
            w.AuthLastResultJson = null;
        }
        await db.SaveChangesAsync(cancellationToken);
        return null;
    }

    /// <summary>Checks the workspace's saved settings and stores the result. Null when there is no domain to check.</summary>
    public async Task<AuthCheckResult?> CheckAsync(int workspaceId, IProgress<AuthCheckProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var state = await LoadAsync(workspaceId, cancellationToken);
        if (state?.SendingDomain is null)
        {
            return null;
        }
        var result = await checker.CheckAsync(state.SendingDomain, state.Provider, state.Selector, progress, cancellationToken);

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var w = await db.Workspaces.FirstAsync(w => w.Id == workspaceId, cancellationToken);
        w.AuthLastCheckedAt = result.CheckedAt;
        w.AuthLastResultJson = result.ToJson();
        if (result.Passed && w.AuthFirstPassedAt is null)
        {
            w.AuthFirstPassedAt = time.GetUtcNow().UtcDateTime;
        }
        await db.SaveChangesAsync(cancellationToken);
        return result;
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
