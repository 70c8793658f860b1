using ClickInsights.Core.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace ClickInsights.Core.Accounts;

public static class AccountsServiceCollectionExtensions
{
    /// <summary>Maximum wrong passwords in a row before an account waits <see cref="LockedOutFor"/>.</summary>
    public const int MaxFailedSignIns = 5;
    public static readonly TimeSpan LockedOutFor = TimeSpan.FromMinutes(5);
    public const int MinimumPasswordLength = 10;

    /// <summary>
    /// People (ASP.NET Core Identity's user store on the dashboard's database), share links and the audit log. Needs a
    /// <see cref="ClickInsightsDbContext"/> factory registered (which also registers the context per scope).
    /// </summary>
    public static IServiceCollection AddAccounts(this IServiceCollection services)
    {
        services.AddIdentityCore<Person>(identity =>
        {
            identity.User.RequireUniqueEmail = true;
            // Length matters more than character classes (NIST SP 800-63B): a long passphrase, nothing else asked.
            identity.Password.RequiredLength = MinimumPasswordLength;
            identity.Password.RequireDigit = false;
            identity.Password.RequireLowercase = false;
            identity.Password.RequireUppercase = false;
            identity.Password.RequireNonAlphanumeric = false;
            identity.Password.RequiredUniqueChars = 1;
            identity.Lockout.MaxFailedAccessAttempts = MaxFailedSignIns;
            identity.Lockout.DefaultLockoutTimeSpan = LockedOutFor;
            identity.Lockout.AllowedForNewUsers = true;
        }).AddEntityFrameworkStores<ClickInsightsDbContext>();
        services.AddSingleton<PeopleService>();
        services.AddSingleton<ShareLinkService>();
        services.AddSingleton<AuditLog>();
        return services;
    }
}
