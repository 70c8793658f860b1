namespace ClickInsights.Web;

/// <summary>Every link of the dashboard, built in one place.</summary>
public static class Urls
{
    public const string Overview = "/";
    public const string Campaigns = "/campaigns";
    public const string Domains = "/domains";
    public const string Authentication = "/authentication";
    public const string Import = "/import";
    public const string Settings = "/settings";

    public static string Campaign(int id) => $"/campaigns/{id}";
}
