using ClickInsights.Core.Providers;
using Microsoft.AspNetCore.DataProtection;

namespace ClickInsights.Web.Sync;

/// <summary>Connection secrets encrypted with ASP.NET Core Data Protection, whose key ring is in the database (every instance reads it).</summary>
public sealed class DataProtectionSecretProtector(IDataProtectionProvider provider) : ISecretProtector
{
    private readonly IDataProtector _protector = provider.CreateProtector("ClickInsights.Connections.Secrets.v1");

    public string Protect(string plaintext) => _protector.Protect(plaintext);

    public string Unprotect(string protectedText) => _protector.Unprotect(protectedText);
}
