using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Components;

namespace ClickInsights.Web.Components.Shared;

/// <summary>What a printed report carries in its page margins: what it is at the top, when it was made and "Page 2 of 3" at the bottom.</summary>
public static class PrintedPages
{
    private const string Font = "font: 9pt Roboto, Helvetica, Arial, sans-serif; color: #555;";

    /// <summary>A style sheet for the printed pages (CSS page margin boxes), to go inside a style element.</summary>
    public static MarkupString Margins(string top, string bottom) => new(
        "@page { size: auto; margin: 16mm 14mm 18mm 14mm; "
        + "@top-left { content: \"" + CssText(top) + "\"; " + Font + " } "
        + "@bottom-left { content: \"" + CssText(bottom) + "\"; " + Font + " } "
        + "@bottom-right { content: \"Page \" counter(page) \" of \" counter(pages); " + Font + " } }");

    /// <summary>
    /// Text for a CSS string: letters, digits and spaces as they are, every other character as a CSS escape, so that
    /// nothing a workspace is named can end the string or the style element.
    /// </summary>
    public static string CssText(string text)
    {
        var css = new StringBuilder(text.Length * 2);
        foreach (var rune in text.EnumerateRunes().Where(r => !Rune.IsControl(r)))
        {
            if (rune.IsAscii && (char.IsAsciiLetterOrDigit((char)rune.Value) || rune.Value == ' '))
            {
                css.Append((char)rune.Value);
            }
            else
            {
                css.Append('\\').Append(rune.Value.ToString("X", CultureInfo.InvariantCulture)).Append(' ');
            }
        }
        return css.ToString();
    }
}
