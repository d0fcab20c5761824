using System.Globalization;
using System.Text.Json.Nodes;
using static Sharpness.Experiments.Reproduction.ReproductionRuns;

namespace Sharpness.Experiments.Reproduction.Claims;

/// <summary>Cohen et al.: under full-batch gradient descent the sharpness rises to 2/η and settles there (the edge of stability).</summary>
public sealed class NetEosSettles : Claim
{
    /// <summary>Measurements in the window that decides whether λ_H has settled.</summary>
    public const int Window = 10;

    /// <inheritdoc/>
    public override string Id => "net-eos-settles";

    /// <inheritdoc/>
    public override string Statement => "Real networks: sharpness settles at 2/eta (edge of stability)";

    /// <inheritdoc/>
    public override string Criterion =>
        $"lambda_H/(2/eta) over the last {Window} measurements after lambda_H first reached 0.9*(2/eta): mean in [0.9, 1.1], each in [0.8, 1.2], least-squares drift across the window within +-0.05 (settled, not still sharpening), at every learning rate that did not diverge; not decided while a run has fewer than {Window} measurements after reaching 2/eta";

    /// <inheritdoc/>
    public override IReadOnlyList<string> Runs => [ExperimentList.NetEos];

    /// <inheritdoc/>
    public override int Order => 70;

    /// <inheritdoc/>
    public override string? QuickCaveat =>
        "one learning rate (2/30) on 1,000 images instead of two on 5,000: fewer images are fitted sooner, so the run reaches 99% accuracy about 600 steps after lambda_H reaches 2/eta, and the settled window (the last 10 measurements, 200 steps) is all a longer run would average over";

    /// <inheritdoc/>
    protected override ClaimResult Measure(ReproductionRuns runs)
    {
        var rows = new List<IReadOnlyList<string>>();
        var parts = new List<string>();
        var undecided = new List<string>();
        var sources = new List<string>();
        bool anyFails = false, anyDecided = false;
        foreach (var run in runs.Results(ExperimentList.NetEos)["runs"] as JsonArray ?? [])
        {
            string folder = Text(run?["folder"]) ?? throw new MissingRunDataException("net-eos/manifest.json: a run has no folder");
            double lr = Number(run!["lr"]);
            string eta = "eta " + G(lr);
            string file = folder + "/metrics.csv";
            sources.Add(ExperimentList.NetEos + "/" + file);
            var measured = runs.Table(ExperimentList.NetEos, file)
                .Select(row => (Step: Number(row["step"]), Ratio: Number(row["sharpness"]) / Number(row["threshold"])))
                .Where(m => double.IsFinite(m.Ratio))
                .ToArray();
            int? reach = Integer(run["reach_step"]);
            int steps = Integer(run["steps_completed"]) ?? 0;
            string stop = Text(run["stop_reason"]) ?? "?";
            double[] after = reach is int r ? measured.Where(m => m.Step >= r).Select(m => m.Ratio).ToArray() : [];
            double[] last = after.TakeLast(Window).ToArray();
            double mean = last.Length > 0 ? last.Average() : double.NaN, drift = Drift(last);
            string verdict;
            if (Flag(run["diverged"]) == true)
            {
                verdict = "diverged (outside the claim)";
                parts.Add($"{eta}: diverged");
            }
            else if (reach is null)
            {
                double highest = measured.Length > 0 ? measured.Max(m => m.Ratio) : double.NaN;
                verdict = "not decided";
                undecided.Add($"{eta}: run too short, lambda_H reached at most {G(highest)} of 2/eta in {steps} steps (stopped: {stop})");
                parts.Add($"{eta}: never reached 2/eta (at most {G(highest)} of it)");
            }
            else if (after.Length < Window)
            {
                verdict = "not decided";
                undecided.Add($"{eta}: too few measurements, {after.Length} after reaching 2/eta at step {reach} (needs {Window})");
                parts.Add($"{eta}: mean {G(mean)} over {after.Length} measurements after reaching 2/eta");
            }
            else
            {
                bool ok = mean is >= 0.9 and <= 1.1 && last.All(v => v is >= 0.8 and <= 1.2) && Math.Abs(drift) <= 0.05;
                anyDecided = true;
                anyFails |= !ok;
                verdict = ok ? VerdictText.Reproduced : VerdictText.NotReproduced;
                parts.Add($"{eta}: mean {G(mean)}, drift {(drift >= 0 ? "+" : string.Empty)}{G(drift)} over the last {Window}");
            }

            rows.Add([
                G(lr), G(Number(run["threshold"])), $"{steps} ({stop})", G(Number(run["initial_ratio"])),
                reach?.ToString(CultureInfo.InvariantCulture) ?? "never", after.Length.ToString(CultureInfo.InvariantCulture),
                after.Length > 0 ? $"{G(Number(run["mean_ratio"]))} ± {G(Number(run["ratio_sd"]))}" : "–",
                after.Length > 0 ? $"{G(Number(run["min_ratio"]))}–{G(Number(run["max_ratio"]))}" : "–",
                after.Length > 0 ? $"{G(100 * Number(run["fraction_in_band"]))}%" : "–",
                G(mean), G(drift), verdict,
            ]);
        }

        var table = new EvidenceTable(
            $"Per learning rate: lambda_H/(2/eta) after lambda_H first reached 0.9*(2/eta) (the band is [0.9, 1.3]), and over the last {Window} measurements",
            ["eta", "2/eta", "steps (stop)", "lambda_H(0)/(2/eta)", "reached at step", "measurements after", "mean ± sd after", "min–max after", "in band", $"mean, last {Window}", $"drift, last {Window}", "verdict"],
            rows);
        var measuredText = TextValue(string.Join("; ", parts.DefaultIfEmpty("no learning rate in the run")));
        ClaimResult result = anyFails ? ClaimResult.Decided(false, measuredText)
            : undecided.Count > 0 ? ClaimResult.Undecided(string.Join("; ", undecided), measuredText)
            : anyDecided ? ClaimResult.Decided(true, measuredText)
            : ClaimResult.Undecided("data missing: no learning rate that did not diverge", measuredText);
        return result with { Evidence = [table], Sources = sources };
    }

    /// <summary>Least-squares slope times (n − 1): the systematic change across the values (NaN for fewer than two).</summary>
    /// <param name="values">The values, in order.</param>
    public static double Drift(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        int n = values.Count;
        if (n < 2)
        {
            return double.NaN;
        }

        double meanX = (n - 1) / 2.0, meanY = values.Average(), sxy = 0, sxx = 0;
        for (int i = 0; i < n; i++)
        {
            sxy += (i - meanX) * (values[i] - meanY);
            sxx += (i - meanX) * (i - meanX);
        }

        return sxy / sxx * (n - 1);
    }
}
