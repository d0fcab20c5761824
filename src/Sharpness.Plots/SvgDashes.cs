using System.Globalization;
using System.Text;
using ScottPlot;

namespace Sharpness.Plots;

/// <summary>
/// Dashed lines in SVG output. Skia's SVG backend ignores a paint's dash effect on straight lines
/// (it draws them solid and prints "Unsupported path effect in addPaint." to standard error), and
/// ScottPlot draws reference lines and legend samples as straight lines. So every dashed line style
/// is drawn solid in a colour of its own for the SVG, and that colour is then replaced by the real
/// one with a <c>stroke-dasharray</c>, which every SVG viewer draws.
/// </summary>
internal static class SvgDashes
{
    /// <summary>A line style drawn in a stand-in colour: what it was and the stand-in's SVG colour text.</summary>
    internal sealed record Swapped(LineStyle Style, Color Color, LinePattern Pattern, string StandIn);

    /// <summary>Replaces each style's colour by a distinct stand-in (same opacity) and its pattern by a solid line.</summary>
    /// <param name="styles">Distinct dashed line styles.</param>
    public static IReadOnlyList<Swapped> Swap(IReadOnlyList<LineStyle> styles)
    {
        var swapped = new List<Swapped>(styles.Count);
        for (int i = 0; i < styles.Count; i++)
        {
            var style = styles[i];
            // #13579B, #1357A1, ...: hexadecimal digit pairs that are never doubled, so Skia writes them in full.
            var standIn = new Color(0x13, (byte)(0x57 + (i / 100)), (byte)(0x9B + (i % 100)), style.Color.Alpha);
            swapped.Add(new Swapped(style, style.Color, style.Pattern, string.Create(CultureInfo.InvariantCulture, $"#{standIn.Red:X2}{standIn.Green:X2}{standIn.Blue:X2}")));
            style.Color = standIn;
            style.Pattern = LinePattern.Solid;
        }

        return swapped;
    }

    /// <summary>Gives the styles back their colours and patterns.</summary>
    /// <param name="swapped">What <see cref="Swap"/> returned.</param>
    public static void Restore(IReadOnlyList<Swapped> swapped)
    {
        foreach (var s in swapped)
        {
            s.Style.Color = s.Color;
            s.Style.Pattern = s.Pattern;
        }
    }

    /// <summary>Writes the real colour and a <c>stroke-dasharray</c> wherever a stand-in colour strokes.</summary>
    /// <param name="svg">The SVG drawn with the stand-ins.</param>
    /// <param name="swapped">What <see cref="Swap"/> returned.</param>
    public static string Apply(string svg, IReadOnlyList<Swapped> swapped)
    {
        if (swapped.Count == 0)
        {
            return svg;
        }

        var text = new StringBuilder(svg);
        foreach (var s in swapped)
        {
            string dashes = string.Join(' ', s.Pattern.Intervals.Select(v => v.ToString("0.###", CultureInfo.InvariantCulture)));
            string colour = string.Create(CultureInfo.InvariantCulture, $"#{s.Color.Red:X2}{s.Color.Green:X2}{s.Color.Blue:X2}");
            text.Replace($"stroke=\"{s.StandIn}\"", $"stroke=\"{colour}\" stroke-dasharray=\"{dashes}\"");
            text.Replace($"fill=\"{s.StandIn}\"", $"fill=\"{colour}\"");
        }

        return text.ToString();
    }
}
