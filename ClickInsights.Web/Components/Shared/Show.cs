using System.Globalization;

namespace ClickInsights.Web.Components.Shared;

public static class Show
{
    private static readonly CultureInfo Culture = CultureInfo.InvariantCulture;

    public static string Percent(double fraction) => (fraction * 100).ToString("0.0", Culture) + "%";

    public static string Number(int value) => value.ToString("N0", Culture);

    public static string Number(long value) => value.ToString("N0", Culture);

    public static string DateTime(DateTime utc) => utc.ToString("MMM d, yyyy HH:mm:ss", Culture);

    public static string Date(DateTime? utc) => utc is { } d ? d.ToString("MMM d, yyyy", Culture) : "—";

    public static string DateTime(DateTime? utc) => utc is { } d ? d.ToString("MMM d, yyyy HH:mm", Culture) + " UTC" : "—";
}
