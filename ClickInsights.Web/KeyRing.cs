using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ClickInsights.Core.Data;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace ClickInsights.Web;

/// <summary>
/// <c>ClickInsights:DataProtection</c>: the certificate (a PKCS#12 file and its password) that encrypts the key ring at
/// rest. Without one the keys are stored as they are, and admins are told so on the Settings page.
/// </summary>
public sealed class KeyRingOptions
{
    public const string Section = "ClickInsights:DataProtection";

    public string? CertificatePath { get; set; }
    public string? CertificatePassword { get; set; }
}

/// <summary>Whether the key ring is encrypted at rest, for the Settings page's warning.</summary>
public sealed record KeyRingStatus(bool Protected, string? Certificate);

/// <summary>
/// ASP.NET Core Data Protection's key ring (sign-in cookies, antiforgery tokens, connection secrets) in the database, so
/// that every instance of the dashboard on one database reads what another wrote: a sign-in made through one is valid
/// on all. Keys kept by an earlier version in a folder next to the database are copied in once.
/// </summary>
public static class KeyRing
{
    public static IServiceCollection AddKeyRing(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(KeyRingOptions.Section).Get<KeyRingOptions>() ?? new KeyRingOptions();
        var builder = services.AddDataProtection()
            .SetApplicationName("ClickInsights")
            .PersistKeysToDbContext<ClickInsightsDbContext>();
        X509Certificate2? certificate = null;
        if (!string.IsNullOrWhiteSpace(options.CertificatePath))
        {
            certificate = Load(options.CertificatePath, options.CertificatePassword);
            builder.ProtectKeysWithCertificate(certificate);
        }
        services.AddSingleton(new KeyRingStatus(certificate is not null, certificate?.Subject));
        return services;
    }

    private static X509Certificate2 Load(string path, string? password)
    {
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"{KeyRingOptions.Section}:CertificatePath names '{path}', which does not exist. The README (\"Several instances\") says how to make one.");
        }
        try
        {
            var certificate = X509CertificateLoader.LoadPkcs12FromFile(path, password, X509KeyStorageFlags.EphemeralKeySet);
            if (!certificate.HasPrivateKey)
            {
                throw new InvalidOperationException($"The certificate in '{path}' has no private key: the key ring could be encrypted but never read back.");
            }
            return certificate;
        }
        catch (CryptographicException e)
        {
            throw new InvalidOperationException($"The certificate in '{path}' could not be read ({e.Message.TrimEnd('.')}): check {KeyRingOptions.Section}:CertificatePassword.", e);
        }
    }

    /// <summary>
    /// Copies the keys an earlier version kept in a folder next to the database into the database, when the database
    /// has none yet: sign-ins and saved connection secrets made before keep working.
    /// </summary>
    public static async Task<int> ImportFolderAsync(IDbContextFactory<ClickInsightsDbContext> dbFactory, string? folder, CancellationToken cancellationToken)
    {
        if (folder is null || !Directory.Exists(folder))
        {
            return 0;
        }
        var files = Directory.GetFiles(folder, "key-*.xml");
        if (files.Length == 0)
        {
            return 0;
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (await db.DataProtectionKeys.AnyAsync(cancellationToken))
        {
            return 0;
        }
        foreach (var file in files)
        {
            db.DataProtectionKeys.Add(new DataProtectionKey { FriendlyName = Path.GetFileNameWithoutExtension(file), Xml = await File.ReadAllTextAsync(file, cancellationToken) });
        }
        await db.SaveChangesAsync(cancellationToken);
        return files.Length;
    }
}
