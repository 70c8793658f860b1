using MudBlazor;

namespace ClickInsights.Web.Components;

/// <summary>
/// The dashboard's colours, for the main layout and for shared reports alike: green for people, orange for suspects,
/// red for bots, each readable (WCAG 2.1 AA): text and chip colours at least 4.5:1 against what they sit on, in light
/// and dark mode. Light mode's filled chips carry white text on dark shades; dark mode's carry black text on light ones.
/// </summary>
public static class AppTheme
{
    public const string Brand = "#1f5f8b";

    private const string DarkText = "rgba(0,0,0,0.87)";

    public static MudTheme Default { get; } = new()
    {
        // Buttons in sentence case: a button naming an address or a campaign shows it as written, not in capitals.
        Typography = new Typography { Button = new ButtonTypography { TextTransform = "none" } },
        PaletteLight = new PaletteLight
        {
            Primary = Brand,
            AppbarBackground = Brand,
            Secondary = "#a6530a",
            Success = "#2e7d32",
            Warning = "#a15c00",
            Error = "#c62828",
            Info = "#0a66c2",
            TextSecondary = "rgba(0,0,0,0.62)",
            ActionDefault = "rgba(0,0,0,0.62)",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#6fb3e0",
            PrimaryContrastText = DarkText,
            Secondary = "#f0a35e",
            SecondaryContrastText = DarkText,
            Success = "#81c784",
            SuccessContrastText = DarkText,
            Warning = "#ffb74d",
            WarningContrastText = DarkText,
            Error = "#ef9a9a",
            ErrorContrastText = DarkText,
            Info = "#64b5f6",
            InfoContrastText = DarkText,
            // Text alerts write their message in the "darken" shade on a tint of the colour: on a dark page that shade
            // must be lighter, not darker, to be read.
            InfoDarken = "#bbdefb",
            SuccessDarken = "#c8e6c9",
            WarningDarken = "#ffe0b2",
            ErrorDarken = "#ffcdd2",
            PrimaryDarken = "#b3d9f2",
            TextSecondary = "rgba(255,255,255,0.72)",
            ActionDefault = "rgba(255,255,255,0.72)",
        },
    };
}
