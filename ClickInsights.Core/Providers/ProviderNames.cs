using ClickInsights.Core.Import;

namespace ClickInsights.Core.Providers;

/// <summary>The providers a connection can be made to, named as their readers name their events' source.</summary>
public static class ProviderNames
{
    public const string ConstantContact = ConstantContactReader.SourceName;
    public const string Mailchimp = MailchimpReader.SourceName;
    public const string Mailgun = MailgunReader.SourceName;
    public const string Postmark = PostmarkReader.SourceName;
    public const string SendGrid = SendGridReader.SourceName;
    public const string Brevo = BrevoReader.SourceName;
    public const string Mandrill = MandrillReader.SourceName;

    public static IReadOnlyList<string> All { get; } = [ConstantContact, Mailchimp, Mailgun, Postmark, SendGrid, Brevo, Mandrill];

    public static string Display(string provider) => provider switch
    {
        ConstantContact => "Constant Contact",
        Mailchimp => "Mailchimp",
        Mailgun => "Mailgun",
        Postmark => "Postmark",
        SendGrid => "SendGrid",
        Brevo => "Brevo",
        Mandrill => "Mailchimp Transactional",
        _ => provider,
    };
}
