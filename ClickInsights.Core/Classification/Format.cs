using System.Globalization;

namespace ClickInsights.Core.Classification;

public static class Format
{
    /// <summary>"within 2 s", or "within the same minute" when times are whole minutes and cannot tell seconds apart.</summary>
    public static string Within(long milliseconds, bool wholeMinutes) =>
        wholeMinutes && milliseconds < 60_000 ? "within the same minute" : $"within {Duration(milliseconds)}";

    /// <summary>"2 s later", or "in the same minute" when times are whole minutes.</summary>
    public static string Later(long milliseconds, bool wholeMinutes) =>
        wholeMinutes && milliseconds < 60_000 ? "in the same minute" : $"{Duration(milliseconds)} later";

    /// <summary>Equal for durations that <see cref="Duration"/> writes the same way.</summary>
    public static long DurationKey(long milliseconds)
    {
        var ms = Math.Abs(milliseconds);
        return ms switch
        {
            < 1_000 => ms / 100,
            < 60_000 => 100 + ms / 1000,
            < 3_600_000 => 1_000 + ms / 60_000,
            < 172_800_000 => 10_000 + ms / 3_600_000,
            _ => 100_000 + ms / 86_400_000,
        };
    }

    /// <summary>A duration as a person says it: "0.4 s", "11 s", "3 min", "2 h", "3 days".</summary>
    public static string Duration(long milliseconds)
    {
        var ms = Math.Abs(milliseconds);
        return ms switch
        {
            // Tenths cut, not rounded, like the larger units: 460 ms and 420 ms both read "0.4 s", as their key says.
            < 1_000 => $"{(ms / 100 / 10.0).ToString("0.#", CultureInfo.InvariantCulture)} s",
            < 60_000 => $"{ms / 1000} s",
            < 3_600_000 => $"{ms / 60_000} min",
            < 172_800_000 => $"{ms / 3_600_000} h",
            _ => $"{ms / 86_400_000} days",
        };
    }
}
