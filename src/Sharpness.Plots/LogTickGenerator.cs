using System.Globalization;
using ScottPlot;

namespace Sharpness.Plots;

/// <summary>
/// Ticks of a logarithmic axis drawn in log10 coordinates, as matplotlib's log scale places them:
/// labelled major ticks at powers of ten (every k-th decade when there are too many to label) with
/// unlabelled minor ticks at 2…9 times each power of ten (or at the skipped decades); an axis
/// spanning fewer than three decades is labelled at 1, 2 and 5 times powers of ten, at every digit, or,
/// within a single digit, at evenly spaced round values.
/// </summary>
public sealed class LogTickGenerator : ITickGenerator
{
    /// <summary>Smallest distance between labelled ticks, in pixels (ScottPlot's logical pixels). Default 28.</summary>
    public float MinimumLabelSpacing { get; init; } = 28;

    /// <inheritdoc />
    public Tick[] Ticks { get; private set; } = [];

    /// <inheritdoc />
    public int MaxTickCount { get; set; } = 200;

    /// <inheritdoc />
    public void Regenerate(CoordinateRange range, Edge edge, PixelLength size, Paint paint, LabelStyle labelStyle) =>
        Ticks = Generate(range.Min, range.Max, Math.Max(2, (int)(size.Length / MinimumLabelSpacing))).Take(MaxTickCount).ToArray();

    /// <summary>The ticks between two log10 coordinates with at most <paramref name="maxLabels"/> labelled ones.</summary>
    /// <param name="logMin">Lower end of the axis (log10 of the value).</param>
    /// <param name="logMax">Upper end of the axis.</param>
    /// <param name="maxLabels">Most labelled (major) ticks wanted, ≥ 2.</param>
    public static IReadOnlyList<Tick> Generate(double logMin, double logMax, int maxLabels)
    {
        if (!double.IsFinite(logMin) || !double.IsFinite(logMax))
        {
            return [];
        }

        if (logMin > logMax)
        {
            (logMin, logMax) = (logMax, logMin);
        }

        maxLabels = Math.Max(2, maxLabels);
        const double eps = 1e-9;
        int first = (int)Math.Ceiling(logMin - eps), last = (int)Math.Floor(logMax + eps);
        int decades = last - first + 1;
        var ticks = new List<Tick>();
        if (decades >= 3)
        {
            return Decades(logMin, logMax, first, last, maxLabels);
        }

        // Fewer than three decades labelled: 1-2-5, else every digit, else round values within a digit.
        foreach (int[] digits in new[] { new[] { 1, 2, 5 }, new[] { 1, 2, 3, 4, 5, 6, 7, 8, 9 } })
        {
            var positions = Positions(logMin, logMax, digits);
            if (positions.Count >= 3)
            {
                if (positions.Count > maxLabels)
                {
                    continue;
                }

                foreach (var (position, digit, power) in positions)
                {
                    ticks.Add(Tick.Major(position, Label(digit, power)));
                }

                foreach (var (position, _, _) in Positions(logMin, logMax, [1, 2, 3, 4, 5, 6, 7, 8, 9]).Where(p => !positions.Contains(p)))
                {
                    ticks.Add(Tick.Minor(position));
                }

                return ticks;
            }
        }

        if (decades >= 2)
        {
            return Decades(logMin, logMax, first, last, maxLabels);
        }

        // A narrow range: evenly spaced round values (1, 2 or 5 times a power of ten apart).
        double low = Math.Pow(10, logMin), high = Math.Pow(10, logMax);
        double step = NiceStep((high - low) / Math.Min(maxLabels, 6));
        for (double v = Math.Ceiling(low / step) * step; v <= high * (1 + 1e-12); v += step)
        {
            double value = Math.Round(v / step) * step;
            ticks.Add(Tick.Major(Math.Log10(value), FigureStyle.FormatNumber(value)));
            if (value + (step / 2) <= high)
            {
                ticks.Add(Tick.Minor(Math.Log10(value + (step / 2))));
            }
        }

        return ticks;
    }

    // Labelled decades every `every`-th one (aligned to multiples of `every`); the others and the digits 2..9 become minor ticks.
    private static List<Tick> Decades(double logMin, double logMax, int first, int last, int maxLabels)
    {
        const double eps = 1e-9;
        int decades = last - first + 1;
        var ticks = new List<Tick>();
        int every = 1;
        while (decades / every > maxLabels)
        {
            every++;
        }

        // One style per axis: plain decimals when every labelled decade has one, 10ⁿ otherwise.
        bool plain = first >= -3 && last <= 4;

        for (int k = (int)Math.Floor(logMin) - 1; k <= last; k++)
        {
            if (k >= first && k % every == 0)
            {
                ticks.Add(Tick.Major(k, plain ? Label(1, k) : "10" + Superscript(k)));
            }
            else if (k >= first)
            {
                ticks.Add(Tick.Minor(k));
            }

            if (every == 1)
            {
                for (int d = 2; d <= 9; d++)
                {
                    double position = k + Math.Log10(d);
                    if (position >= logMin - eps && position <= logMax + eps)
                    {
                        ticks.Add(Tick.Minor(position));
                    }
                }
            }
        }

        return ticks;
    }

    /// <summary>The label of d × 10^k: plain decimals from 0.001 to 10000, 10ⁿ (or d·10ⁿ) outside.</summary>
    /// <param name="digit">d, 1 to 9.</param>
    /// <param name="power">k.</param>
    public static string Label(int digit, int power)
    {
        if (power >= -3 && power <= 4)
        {
            return (digit * Math.Pow(10, power)).ToString(power < 0 ? "0." + new string('#', -power) : "0", CultureInfo.InvariantCulture);
        }

        string exponent = Superscript(power);
        return digit == 1 ? "10" + exponent : digit.ToString(CultureInfo.InvariantCulture) + "·10" + exponent;
    }

    private static string Superscript(int power)
    {
        const string digits = "⁰¹²³⁴⁵⁶⁷⁸⁹";
        string text = Math.Abs(power).ToString(CultureInfo.InvariantCulture);
        return (power < 0 ? "⁻" : string.Empty) + string.Concat(text.Select(c => digits[c - '0']));
    }

    private static List<(double Position, int Digit, int Power)> Positions(double logMin, double logMax, int[] digits)
    {
        const double eps = 1e-9;
        var positions = new List<(double, int, int)>();
        for (int k = (int)Math.Floor(logMin) - 1; k <= (int)Math.Ceiling(logMax); k++)
        {
            foreach (int d in digits)
            {
                double position = k + Math.Log10(d);
                if (position >= logMin - eps && position <= logMax + eps)
                {
                    positions.Add((position, d, k));
                }
            }
        }

        return positions;
    }

    private static double NiceStep(double rough)
    {
        double power = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        double fraction = rough / power;
        return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * power;
    }
}
