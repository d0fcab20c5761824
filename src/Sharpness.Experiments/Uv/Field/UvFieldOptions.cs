using System.Globalization;
using Sharpness.Uv;
using Sharpness.Uv.Dynamics;

namespace Sharpness.Experiments.Uv;

/// <summary>
/// Options of <see cref="UvFieldExperiment"/> (<c>sharpness uv field</c>): the vector field of one GD
/// step of the scaled map in the (g, x) plane, with overlaid trajectories.
/// </summary>
public sealed record UvFieldOptions
{
    /// <summary>The scaled target r = η/η_c. Default 0.5.</summary>
    public double R { get; init; } = 0.5;

    /// <summary>Draw the relative plane (f/y, ηλ) instead of the scaled one (g, x); needs r ≠ 0. Default off.</summary>
    public bool RelativePlane { get; init; }

    /// <summary>Left end of the horizontal axis (g, or f/y). Default: −1.5 (relative) or −max(2, 2|r| + 1)/2.</summary>
    public double? HMin { get; init; }

    /// <summary>Right end of the horizontal axis. Default: 2.5 (relative) or max(2, 2|r| + 1).</summary>
    public double? HMax { get; init; }

    /// <summary>Bottom of the x = ηλ axis. Default 0.</summary>
    public double XMin { get; init; }

    /// <summary>Top of the x = ηλ axis. Default 4.5.</summary>
    public double XMax { get; init; } = 4.5;

    /// <summary>Arrows per axis, ≥ 2. Default 25.</summary>
    public int Grid { get; init; } = 25;

    /// <summary>Starts (g₀, x₀) of the overlaid trajectories, in scaled variables, each with x₀ ≥ 2|g₀|. Default none.</summary>
    public IReadOnlyList<UvScaledState> Trajectories { get; init; } = [];

    /// <summary>Steps of each overlaid trajectory, ≥ 1. Default 40.</summary>
    public int TrajectorySteps { get; init; } = 40;

    /// <summary>Name of the plane in manifests: scaled or relative.</summary>
    public string PlaneName => RelativePlane ? "relative" : "scaled";

    /// <summary>Reads a plane name: scaled or relative; true for relative.</summary>
    /// <param name="text">The name.</param>
    /// <exception cref="InvalidOptionException">Another name (<c>--plane</c>).</exception>
    public static bool ParsePlane(string text) => OptionChecks.Choice(text, "--plane", ("scaled", false), ("relative", true));

    /// <summary>Reads a trajectory start "g0,x0".</summary>
    /// <param name="text">Two numbers separated by a comma.</param>
    /// <exception cref="InvalidOptionException">It is not (<c>--trajectory</c>).</exception>
    public static UvScaledState ParseStart(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] parts = text.Split(',');
        return parts.Length == 2
            && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double g)
            && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double x)
            && double.IsFinite(g) && double.IsFinite(x)
                ? new UvScaledState(g, x)
                : throw new InvalidOptionException("--trajectory", $"expected g0,x0 (two numbers), got '{text}'.");
    }

    /// <summary>Checks every option.</summary>
    /// <exception cref="InvalidOptionException">An option is out of range.</exception>
    public void Validate() => Window();

    /// <summary>The validated horizontal window, defaults filled in.</summary>
    /// <exception cref="InvalidOptionException">An option is out of range.</exception>
    public (double Min, double Max) Window()
    {
        OptionChecks.Finite(R, "--r");
        if (RelativePlane && R == 0)
        {
            throw new InvalidOptionException("--plane", "relative (f/y) needs r != 0; use --plane scaled.");
        }

        double defaultSpan = RelativePlane ? 3 : Math.Max(2, 2 * Math.Abs(R) + 1);
        double hMin = OptionChecks.Finite(HMin ?? (RelativePlane ? -1.5 : -defaultSpan / 2), "--h-min");
        double hMax = OptionChecks.Finite(HMax ?? (RelativePlane ? 2.5 : defaultSpan), "--h-max");
        OptionChecks.Range(hMin, hMax, "--h-min", "--h-max");
        OptionChecks.Range(XMin, XMax, "--x-min", "--x-max");
        OptionChecks.AtLeast(Grid, 2, "--grid");
        OptionChecks.AtLeast(TrajectorySteps, 1, "--trajectory-steps");
        OptionChecks.Count("--grid", Grid, UvCost.MaxFieldGrid, "the most arrows per axis a figure can show");
        ArgumentNullException.ThrowIfNull(Trajectories);
        OptionChecks.Memory("--trajectory-steps", $"{Trajectories.Count:N0} trajectories of {TrajectorySteps:N0} steps", UvCost.FieldBytes(Grid, Trajectories.Count, TrajectorySteps), "the trajectories");
        foreach (var start in Trajectories)
        {
            if (!double.IsFinite(start.G) || !double.IsFinite(start.X))
            {
                throw new InvalidOptionException("--trajectory", $"expected g0,x0 (two finite numbers), got '{OptionChecks.Text(start.G)},{OptionChecks.Text(start.X)}'.");
            }

            if (start.X < 2 * Math.Abs(start.G))
            {
                throw new InvalidOptionException("--trajectory", $"'{OptionChecks.Text(start.G)},{OptionChecks.Text(start.X)}' has x0 < 2|g0|, which no weights realise (lambda >= 2|f|/s).");
            }
        }

        return (hMin, hMax);
    }
}
