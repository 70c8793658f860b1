using System.Globalization;
using System.Net;
using System.Text;

namespace ClickInsights.Core.Import;

/// <summary>
/// The bounds every stored value keeps, whatever the reader: an address a provider would accept, a URL, a user agent
/// and a text of sane length and valid Unicode, a strict IP, a time in this century and not far in the future. Checked
/// for every item before it is stored, so nothing downstream (classification, reports, webhook batches) meets a value
/// it cannot handle; a value outside them refuses the file with where it was and what was expected.
/// </summary>
public static class EventFields
{
    public const int MaxEmail = 320;
    public const int MaxLocalPart = 64;
    public const int MaxDomain = 253;
    public const int MaxUrl = 8 * 1024;
    public const int MaxUserAgent = 4 * 1024;
    public const int MaxExternalId = 200;
    public const int MaxCampaignKey = 300;
    public const int MaxCampaignName = 500;
    public const int MaxText = 64 * 1024;

    /// <summary>Earliest time an event may carry: e-mail tracking of this kind is younger than this.</summary>
    public static readonly DateTimeOffset Earliest = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>How far past now a time may be (clocks differ; a send can be scheduled).</summary>
    public static readonly TimeSpan AheadAllowed = TimeSpan.FromDays(7);

    /// <summary>Throws <see cref="ImportFormatException"/> when the item holds a value outside the bounds.</summary>
    /// <param name="record">The item's number in the file (from 1), named in a refusal; formatted only then, as this runs for every item.</param>
    public static void Check(ImportItem item, string fileName, long record, DateTimeOffset now)
    {
        Text(item.Source, "source", 40, fileName, record);
        Text(item.CampaignKey, "campaign id", MaxCampaignKey, fileName, record);
        switch (item)
        {
            case NormalizedEvent e:
                Email(e.Email, fileName, record);
                Text(e.ExternalId, "event id", MaxExternalId, fileName, record);
                OptionalText(e.CampaignName, "campaign name", MaxCampaignName, fileName, record);
                OptionalText(e.Url, "link", MaxUrl, fileName, record);
                OptionalText(e.UserAgent, "user agent", MaxUserAgent, fileName, record);
                OptionalText(e.ProviderBotFlag, "provider's bot flag", 40, fileName, record);
                if (e.Ip is { } ip && !IsIp(ip))
                {
                    throw new ImportFormatException(fileName, At(record), $"expected an IP address (four numbers 0–255 separated by dots, or an IPv6 address), found \"{Shorten(ip)}\"");
                }
                // Only Mailchimp's sent-to records have no time (its reader says so); 0 from anywhere else is 1970.
                if (e.OccurredAtMs != NormalizedEvent.UnknownTime || e.Source != MailchimpReader.SourceName)
                {
                    Time(e.OccurredAtMs, "time", fileName, record, now);
                }
                if (e.CampaignSentAtMs is { } sent)
                {
                    Time(sent, "send time", fileName, record, now);
                }
                if (e.RawByteCount > 1024 * 1024)
                {
                    throw new ImportFormatException(fileName, At(record), "expected an event record under 1 MB; this one is larger");
                }
                break;
            case CampaignInfo info:
                OptionalText(info.Name, "campaign name", MaxCampaignName, fileName, record);
                if (info.SentAtMs is { } at)
                {
                    Time(at, "send time", fileName, record, now);
                }
                break;
            case LinkInfo link:
                Text(link.Url, "link", MaxUrl, fileName, record);
                break;
        }
    }

    /// <summary>
    /// An address as providers accept one: one <c>@</c>, a local part of 1–64 characters and a domain of dot-separated
    /// labels (letters, digits, hyphens, or non-ASCII for international names), nothing that could start a new header line.
    /// </summary>
    public static bool IsEmail(string email)
    {
        if (email.Length is 0 or > MaxEmail || !IsValidUnicode(email))
        {
            return false;
        }
        var at = email.IndexOf('@');
        if (at <= 0 || at > MaxLocalPart || at != email.LastIndexOf('@') || email.Length - at - 1 is 0 or > MaxDomain)
        {
            return false;
        }
        foreach (var c in email.AsSpan(0, at))
        {
            if (c <= ' ' || c == 0x7f || c is '(' or ')' or ',' or ':' or ';' or '<' or '>' or '[' or ']' or '\\' or '"')
            {
                return false;
            }
        }
        var domain = email.AsSpan(at + 1);
        foreach (var range in domain.Split('.'))
        {
            var label = domain[range];
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-')
            {
                return false;
            }
            foreach (var c in label)
            {
                if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' || c > 0x7f && !char.IsWhiteSpace(c) && !char.IsControl(c)))
                {
                    return false;
                }
            }
        }
        return true;
    }

    /// <summary>A dotted-quad IPv4 address (exactly four numbers 0–255) or an IPv6 address; "1.2.3" and "12345" are not.</summary>
    public static bool IsIp(string ip)
    {
        if (ip.Length is 0 or > 45)
        {
            return false;
        }
        if (ip.Contains(':'))
        {
            return IPAddress.TryParse(ip, out var v6) && v6.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
        }
        var rest = ip.AsSpan();
        for (var part = 0; part < 4; part++)
        {
            var dot = rest.IndexOf('.');
            var number = part < 3 ? (dot < 0 ? [] : rest[..dot]) : rest;
            if (number.Length is 0 or > 3 || number.ContainsAnyExceptInRange('0', '9') || int.Parse(number, CultureInfo.InvariantCulture) > 255)
            {
                return false;
            }
            rest = part < 3 ? rest[(dot + 1)..] : [];
        }
        return true;
    }

    /// <summary>Whether the text is whole UTF-16 (no unpaired surrogate), so it can be written as UTF-8 anywhere.</summary>
    public static bool IsValidUnicode(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1]))
                {
                    return false;
                }
                i++;
            }
            else if (char.IsLowSurrogate(c) || c == '\0')
            {
                return false;
            }
        }
        return true;
    }

    private static void Email(string email, string fileName, long record)
    {
        if (!IsEmail(email))
        {
            throw new ImportFormatException(fileName, At(record), $"expected an email address (name@domain, at most {MaxEmail} characters), found \"{Shorten(email)}\"");
        }
    }

    private static void Time(long unixMs, string what, string fileName, long record, DateTimeOffset now)
    {
        var latest = now + AheadAllowed;
        if (unixMs < Earliest.ToUnixTimeMilliseconds() || unixMs > latest.ToUnixTimeMilliseconds())
        {
            var shown = unixMs is >= -62135596800000 and <= 253402300799999
                ? DateTimeOffset.FromUnixTimeMilliseconds(unixMs).ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture)
                : unixMs.ToString(CultureInfo.InvariantCulture);
            throw new ImportFormatException(fileName, At(record), $"expected a {what} between {Earliest:yyyy-MM-dd} and {latest:yyyy-MM-dd}, found {shown}");
        }
    }

    private static void Text(string text, string what, int max, string fileName, long record)
    {
        if (text.Length > max)
        {
            throw new ImportFormatException(fileName, At(record), $"expected a {what} of at most {max:N0} characters, found {text.Length:N0}");
        }
        if (!IsValidUnicode(text))
        {
            throw new ImportFormatException(fileName, At(record), $"expected the {what} as text; it holds an unpaired surrogate or a NUL character");
        }
    }

    private static void OptionalText(string? text, string what, int max, string fileName, long record)
    {
        if (text is not null)
        {
            Text(text, what, max, fileName, record);
        }
    }

    private static string At(long record) => $"record {record.ToString("N0", CultureInfo.InvariantCulture)}";

    private static string Shorten(string text)
    {
        var shown = new StringBuilder();
        foreach (var c in text.Length > 60 ? text[..60] : text)
        {
            shown.Append(char.IsControl(c) || char.IsSurrogate(c) ? $"\\u{(int)c:x4}" : c.ToString());
        }
        return text.Length > 60 ? shown + "…" : shown.ToString();
    }
}
