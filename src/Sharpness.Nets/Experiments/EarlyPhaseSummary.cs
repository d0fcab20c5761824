using System.Globalization;
using System.Text;

namespace Sharpness.Nets.Experiments;

/// <summary>The critical constants of one initialisation, labelled by its configuration (a row of critical.csv).</summary>
/// <param name="Depth">Linear layers including the readout.</param>
/// <param name="Width">Hidden width.</param>
/// <param name="Variant">Parameterisation or readout variant (e.g. sp, mup, zero-readout).</param>
/// <param name="Seed">Seed of the weights.</param>
/// <param name="InitialSharpness">λ_H(0).</param>
/// <param name="InitialNtk">λ_NTK(0).</param>
/// <param name="LossConstant">c_loss against λ_H(0).</param>
/// <param name="SharpnessConstant">c_sharp against λ_H(0), or null when not measured.</param>
/// <param name="MaxConstant">c_max against λ_H(0).</param>
public sealed record EarlyPhaseRow(
    int Depth,
    int Width,
    string Variant,
    ulong Seed,
    double InitialSharpness,
    double InitialNtk,
    CriticalConstant LossConstant,
    CriticalConstant? SharpnessConstant,
    CriticalConstant MaxConstant)
{
    /// <summary>λ_NTK(0)/λ_H(0): a constant against the NTK is c_NTK = c · this ratio.</summary>
    public double NtkRatio => InitialNtk / InitialSharpness;

    /// <summary>depth/width, the horizontal axis of the phase diagram.</summary>
    public double DepthOverWidth => (double)Depth / Width;

    /// <summary>c₁ against λ_H(0), the first-step prediction (<see cref="EarlyPhaseResult.FirstStepConstant"/>); NaN when unknown.</summary>
    public double FirstStepConstant { get; init; } = double.NaN;

    /// <summary>Whether c_loss ≤ c_sharp ≤ c_max (<see cref="CriticalOrdering"/>).</summary>
    public OrderingStatus Ordering => CriticalOrdering.Check(LossConstant, SharpnessConstant, MaxConstant);
}

/// <summary>Mean, smallest and largest value of a constant over seeds, and whether any seed's value was only a bound.</summary>
/// <param name="Mean">Mean over seeds (bounds counted at their grid value).</param>
/// <param name="Min">Smallest value.</param>
/// <param name="Max">Largest value.</param>
/// <param name="Relation">"=" when every value is exact; "&lt;=" or "&gt;=" when some seed only bounded it (mixed bounds: "~").</param>
public sealed record SeedSpread(double Mean, double Min, double Max, string Relation)
{
    /// <summary>The spread of <paramref name="values"/> with their bounds.</summary>
    /// <param name="values">One value per seed with its relation ("=", "&lt;=", "&gt;=").</param>
    public static SeedSpread Of(IReadOnlyList<(double Value, string Relation)> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            return new SeedSpread(double.NaN, double.NaN, double.NaN, "=");
        }

        var bounds = values.Select(v => v.Relation).Where(r => r != "=").Distinct().ToArray();
        string relation = bounds.Length switch { 0 => "=", 1 => bounds[0], _ => "~" };
        return new SeedSpread(values.Average(v => v.Value), values.Min(v => v.Value), values.Max(v => v.Value), relation);
    }

    /// <summary>"mean [min, max]" with the relation in front when bounded, e.g. "2.31 [2.14, 2.46]" or "&gt;=128".</summary>
    public override string ToString()
    {
        if (double.IsNaN(Mean))
        {
            return "–";
        }

        string prefix = Relation == "=" ? string.Empty : Relation;
        return Min == Max
            ? prefix + Format(Mean)
            : $"{prefix}{Format(Mean)} [{Format(Min)}, {Format(Max)}]";
    }

    private static string Format(double x) => x.ToString("0.###", CultureInfo.InvariantCulture);
}

/// <summary>The constants of one (depth, width, variant) over its seeds: a row of summary.md and a point of the phase figure.</summary>
public sealed record EarlyPhaseGroup
{
    /// <summary>Depth.</summary>
    public required int Depth { get; init; }

    /// <summary>Width.</summary>
    public required int Width { get; init; }

    /// <summary>Variant.</summary>
    public required string Variant { get; init; }

    /// <summary>Number of seeds.</summary>
    public required int Seeds { get; init; }

    /// <summary>λ_H(0) over seeds.</summary>
    public required SeedSpread InitialSharpness { get; init; }

    /// <summary>λ_NTK(0)/λ_H(0) over seeds.</summary>
    public required SeedSpread NtkRatio { get; init; }

    /// <summary>c_loss, c_sharp, c_max against λ_H(0) (c_sharp NaN when not measured).</summary>
    public required (SeedSpread Loss, SeedSpread Sharpness, SeedSpread Max) AgainstHessian { get; init; }

    /// <summary>The same constants against λ_NTK(0): c_NTK = η λ_NTK(0), per seed c · λ_NTK(0)/λ_H(0).</summary>
    public required (SeedSpread Loss, SeedSpread Sharpness, SeedSpread Max) AgainstNtk { get; init; }

    /// <summary>c₁ against λ_NTK(0) (c₁ λ_NTK(0)/λ_H(0)): ≥ 2 with equality for a zero readout whose gradient lies in the top NTK eigenspace.</summary>
    public required SeedSpread FirstStepNtk { get; init; }

    /// <summary>Seeds for which c_loss ≤ c_sharp ≤ c_max holds, holds within one grid step, fails, or cannot be decided.</summary>
    public required (int Holds, int WithinGridStep, int Fails, int Undetermined) Ordering { get; init; }

    /// <summary>depth/width.</summary>
    public double DepthOverWidth => (double)Depth / Width;
}

/// <summary>Aggregates <see cref="EarlyPhaseRow"/>s over seeds and formats them as a Markdown table. Pure.</summary>
public static class EarlyPhaseSummary
{
    /// <summary>Groups the rows by (variant, depth, width), in order of variant (first appearance), then depth/width, depth.</summary>
    /// <param name="rows">One row per initialisation.</param>
    public static IReadOnlyList<EarlyPhaseGroup> Summarise(IEnumerable<EarlyPhaseRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var list = rows.ToList();
        var variants = list.Select(r => r.Variant).Distinct().ToList();
        return list
            .GroupBy(r => (r.Variant, r.Depth, r.Width))
            .OrderBy(g => variants.IndexOf(g.Key.Variant)).ThenBy(g => (double)g.Key.Depth / g.Key.Width).ThenBy(g => g.Key.Depth)
            .Select(g =>
            {
                var seeds = g.ToList();
                int Count(OrderingStatus status) => seeds.Count(r => r.Ordering == status);
                SeedSpread Spread(Func<EarlyPhaseRow, CriticalConstant?> pick, bool ntk) => SeedSpread.Of(seeds
                    .Where(r => pick(r) is not null)
                    .Select(r => (pick(r)!.Value * (ntk ? r.NtkRatio : 1), pick(r)!.Relation)).ToList());
                return new EarlyPhaseGroup
                {
                    Depth = g.Key.Depth,
                    Width = g.Key.Width,
                    Variant = g.Key.Variant,
                    Seeds = seeds.Count,
                    InitialSharpness = SeedSpread.Of(seeds.Select(r => (r.InitialSharpness, "=")).ToList()),
                    NtkRatio = SeedSpread.Of(seeds.Select(r => (r.NtkRatio, "=")).ToList()),
                    FirstStepNtk = SeedSpread.Of(seeds.Where(r => double.IsFinite(r.FirstStepConstant)).Select(r => (r.FirstStepConstant * r.NtkRatio, "=")).ToList()),
                    AgainstHessian = (Spread(r => r.LossConstant, false), Spread(r => r.SharpnessConstant, false), Spread(r => r.MaxConstant, false)),
                    AgainstNtk = (Spread(r => r.LossConstant, true), Spread(r => r.SharpnessConstant, true), Spread(r => r.MaxConstant, true)),
                    Ordering = (Count(OrderingStatus.Holds), Count(OrderingStatus.HoldsWithinGridStep), Count(OrderingStatus.Fails), Count(OrderingStatus.Undetermined)),
                };
            })
            .ToList();
    }

    /// <summary>"holds (2/2)", or the counts that differ, e.g. "holds 1/2, within one grid step 1/2".</summary>
    /// <param name="ordering">Counts per status.</param>
    /// <param name="seeds">Number of seeds.</param>
    public static string OrderingText((int Holds, int WithinGridStep, int Fails, int Undetermined) ordering, int seeds)
    {
        if (ordering.Holds == seeds)
        {
            return $"holds ({seeds}/{seeds})";
        }

        var parts = new List<string>();
        void Add(int count, string name)
        {
            if (count > 0)
            {
                parts.Add($"{name} {count}/{seeds}");
            }
        }

        Add(ordering.Holds, "holds");
        Add(ordering.WithinGridStep, "within one grid step");
        Add(ordering.Fails, "fails");
        Add(ordering.Undetermined, "undecided");
        return string.Join(", ", parts);
    }

    /// <summary>
    /// The groups as a Markdown table: one row per (variant, depth, width) with λ_H(0), λ_NTK(0)/λ_H(0), the three
    /// constants against λ_H(0) and against λ_NTK(0) as "mean [min, max]" over seeds, the first-step prediction c₁
    /// against λ_NTK(0), and the ordering check.
    /// </summary>
    /// <param name="groups">From <see cref="Summarise"/>.</param>
    public static string ToMarkdown(IReadOnlyList<EarlyPhaseGroup> groups)
    {
        ArgumentNullException.ThrowIfNull(groups);
        var text = new StringBuilder();
        text.AppendLine("| variant | depth | width | d/w | seeds | λ_H(0) | λ_NTK/λ_H | c_loss | c_sharp | c_max | c_loss (NTK) | c_sharp (NTK) | c_max (NTK) | c₁ (NTK) | c_loss ≤ c_sharp ≤ c_max |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var g in groups)
        {
            string ordering = OrderingText(g.Ordering, g.Seeds);
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {g.Variant} | {g.Depth} | {g.Width} | {g.DepthOverWidth:0.####} | {g.Seeds} | {g.InitialSharpness} | {g.NtkRatio} | {g.AgainstHessian.Loss} | {g.AgainstHessian.Sharpness} | {g.AgainstHessian.Max} | {g.AgainstNtk.Loss} | {g.AgainstNtk.Sharpness} | {g.AgainstNtk.Max} | {g.FirstStepNtk} | {ordering} |"));
        }

        return text.ToString();
    }
}
