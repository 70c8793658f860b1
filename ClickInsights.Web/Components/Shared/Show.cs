using System.Globalization;

namespace ClickInsights.Web.Components.Shared;

public static class Show
{
    private static readonly CultureInfo Culture = CultureInfo.InvariantCulture;

    public static string Percent(double fraction) => (fraction * 100).ToString("0.0", Culture) + "%";

    /// <summary>A rate that may be unknown (a source that does not say how many emails were delivered).</summary>
    public static string Percent(double? fraction) => fraction is { } f ? Percent(f) : "unknown";

    /// <summary>A link as a person reads it in a narrow table: its path without the tracking query (the host when it
    /// has no path); the full address goes in the cell's tooltip.</summary>
    public static string ShortUrl(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri)
            ? (uri.AbsolutePath == "/" ? uri.Host : uri.AbsolutePath)
            : url ?? "";

    public static string Number(int value) => value.ToString("N0", Culture);

    public static string Number(long value) => value.ToString("N0", Culture);

    public static string DateTime(DateTime utc) => utc.ToString("MMM d, yyyy HH:mm:ss", Culture);

    public static string Date(DateTime? utc) => utc is { } d ? d.ToString("MMM d, yyyy", Culture) : "—";

    public static string DateTime(DateTime? utc) => utc is { } d ? d.ToString("MMM d, yyyy HH:mm", Culture) + " UTC" : "—";
}
