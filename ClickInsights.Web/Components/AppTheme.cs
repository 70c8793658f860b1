using MudBlazor;

namespace ClickInsights.Web.Components;

/// <summary>The dashboard's colours, for the main layout and for shared reports alike.</summary>
public static class AppTheme
{
    public const string Brand = "#1f5f8b";

    public static MudTheme Default { get; } = new()
    {
        PaletteLight = new PaletteLight { Primary = Brand, AppbarBackground = Brand, Secondary = "#e07a1f" },
        PaletteDark = new PaletteDark { Primary = "#6fb3e0", Secondary = "#f0a35e" },
    };
}
