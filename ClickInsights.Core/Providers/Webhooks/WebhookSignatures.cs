using System.Security.Cryptography;
using System.Text;

namespace ClickInsights.Core.Providers.Webhooks;

/// <summary>How each provider proves that a webhook call is its own.</summary>
public static class WebhookSignatures
{
    public const string SendGridSignatureHeader = "X-Twilio-Email-Event-Webhook-Signature";
    public const string SendGridTimestampHeader = "X-Twilio-Email-Event-Webhook-Timestamp";

    /// <summary>Whether the text is a usable SendGrid verification key (base64 DER, an elliptic-curve public key).</summary>
    public static bool IsSendGridPublicKey(string? publicKey)
    {
        if (string.IsNullOrWhiteSpace(publicKey))
        {
            return false;
        }
        try
        {
            using var ecdsa = ECDsa.Create();
            ecdsa.ImportSubjectPublicKeyInfo(Convert.FromBase64String(publicKey.Trim()), out _);
            return true;
        }
        catch (Exception e) when (e is FormatException or CryptographicException)
        {
            return false;
        }
    }

    /// <summary>
    /// SendGrid's Signed Event Webhook: an ECDSA (P-256, SHA-256) signature, base64 DER, over the timestamp header
    /// followed by the raw body, checked with the account's verification key (base64 DER public key).
    /// </summary>
    public static bool VerifySendGrid(string publicKey, string? timestamp, string? signature, ReadOnlySpan<byte> body)
    {
        if (string.IsNullOrEmpty(timestamp) || string.IsNullOrEmpty(signature))
        {
            return false;
        }
        try
        {
            using var ecdsa = ECDsa.Create();
            ecdsa.ImportSubjectPublicKeyInfo(Convert.FromBase64String(publicKey.Trim()), out _);
            var stamp = Encoding.UTF8.GetBytes(timestamp);
            var signed = new byte[stamp.Length + body.Length];
            stamp.CopyTo(signed, 0);
            body.CopyTo(signed.AsSpan(stamp.Length));
            return ecdsa.VerifyData(signed, Convert.FromBase64String(signature), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (Exception e) when (e is FormatException or CryptographicException)
        {
            return false;
        }
    }

    /// <summary>Mailgun: the hex HMAC-SHA256 of timestamp + token, keyed with the webhook signing key.</summary>
    public const string MandrillSignatureHeader = "X-Mandrill-Signature";

    /// <summary>
    /// Mailchimp Transactional signs base64(HMAC-SHA1(webhook key, the webhook's URL followed by every POST field sorted
    /// by name, each name then its value)).
    /// </summary>
    public static bool VerifyMandrill(string webhookKey, string url, IReadOnlyList<(string Name, string Value)> fields, string? signature)
    {
        if (string.IsNullOrEmpty(signature))
        {
            return false;
        }
        var signed = new StringBuilder(url);
        foreach (var (name, value) in fields.OrderBy(f => f.Name, StringComparer.Ordinal))
        {
            signed.Append(name).Append(value);
        }
        var expected = HMACSHA1.HashData(Encoding.UTF8.GetBytes(webhookKey), Encoding.UTF8.GetBytes(signed.ToString()));
        byte[] given;
        try
        {
            given = Convert.FromBase64String(signature);
        }
        catch (FormatException)
        {
            return false;
        }
        return CryptographicOperations.FixedTimeEquals(expected, given);
    }

    /// <summary>The fields of a form-encoded body (<c>a=1&amp;b=2</c>, <c>+</c> for spaces).</summary>
    public static IReadOnlyList<(string Name, string Value)> FormFields(byte[] body)
    {
        var fields = new List<(string, string)>();
        foreach (var pair in Encoding.UTF8.GetString(body).Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=');
            string Decode(string text) => Uri.UnescapeDataString(text.Replace('+', ' '));
            fields.Add(equals < 0 ? (Decode(pair), "") : (Decode(pair[..equals]), Decode(pair[(equals + 1)..])));
        }
        return fields;
    }

    public static bool VerifyMailgun(string signingKey, string? timestamp, string? token, string? signature)
    {
        if (string.IsNullOrEmpty(timestamp) || string.IsNullOrEmpty(token) || string.IsNullOrEmpty(signature))
        {
            return false;
        }
        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(signingKey), Encoding.UTF8.GetBytes(timestamp + token));
        byte[] given;
        try
        {
            given = Convert.FromHexString(signature);
        }
        catch (FormatException)
        {
            return false;
        }
        return CryptographicOperations.FixedTimeEquals(expected, given);
    }

    /// <summary>Postmark: HTTP Basic credentials put in the webhook URL.</summary>
    public static bool VerifyBasic(string? authorization, string user, string password)
    {
        if (authorization is null || !authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(authorization["Basic ".Length..].Trim()));
        }
        catch (FormatException)
        {
            return false;
        }
        var expected = Encoding.UTF8.GetBytes(user + ":" + password);
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(decoded), expected);
    }

    /// <summary>Whether a Unix-seconds timestamp lies within <paramref name="maxAge"/> of now, either way.</summary>
    public static bool IsFresh(string? timestamp, DateTimeOffset now, TimeSpan maxAge) =>
        long.TryParse(timestamp, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds)
        && seconds < 100_000_000_000
        && (now - DateTimeOffset.FromUnixTimeSeconds(seconds)).Duration() <= maxAge;
}
