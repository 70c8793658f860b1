namespace ClickInsights.Web.Sync;

/// <summary>The background sync (configuration section <c>ClickInsights:Sync</c>); each connection has its own interval.</summary>
public sealed class SyncScheduleOptions
{
    public const string Section = "ClickInsights:Sync";

    /// <summary>False turns the background sync off; Fetch now still works.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often to look for connections whose interval has passed.</summary>
    public TimeSpan CheckEvery { get; set; } = TimeSpan.FromMinutes(1);
}
