using static Sharpness.Experiments.Reproduction.ReproductionRuns;

namespace Sharpness.Experiments.Reproduction.Claims;

/// <summary>On the UV model's period-2 edge of stability the geometric mean of the sharpness is 2/η.</summary>
public sealed class UvPeriodTwoGeometricMean : Claim
{
    /// <inheritdoc/>
    public override string Id => "uv-period2-geometric-mean";

    /// <inheritdoc/>
    public override string Statement => "UV model: period-2 EoS with geometric-mean sharpness 2/eta (eta*sqrt(lambda+ lambda-) = 2)";

    /// <inheritdoc/>
    public override string Criterion => "|sqrt(x+ x-) - 2| <= 1e-9 over the last two steps of TV3, period 2";

    /// <inheritdoc/>
    public override IReadOnlyList<string> Runs => [ExperimentList.UvTv3];

    /// <inheritdoc/>
    public override int Order => 40;

    /// <inheritdoc/>
    protected override ClaimResult Measure(ReproductionRuns runs)
    {
        var trajectory = runs.Table(ExperimentList.UvTv3, "trajectory.csv");
        var sources = new[] { ExperimentList.UvTv3 + "/trajectory.csv" };
        if (trajectory.Count < 2)
        {
            return ClaimResult.Undecided("run too short: fewer than two steps in the trajectory") with { Sources = sources };
        }

        double xPlus = Number(trajectory[^1]["lr_ntk"]), xMinus = Number(trajectory[^2]["lr_ntk"]);
        double geometric = Math.Sqrt(xPlus * xMinus);
        int? period = Integer(runs.Results(ExperimentList.UvTv3)["period"]);
        var table = new EvidenceTable("The last two steps of TV3 (x = eta*lambda, the NTK sharpness in units of 2/eta = 2)", ["step", "x = eta*lambda", "eta*lambda_H", "f"],
            [.. trajectory.TakeLast(2).Select(row => (IReadOnlyList<string>)[row["step"], Format(Number(row["lr_ntk"]), 12), Format(Number(row["lr_sharpness"]), 12), Format(Number(row["f"]), 12)])]);
        var summary = new EvidenceTable("Period and geometric mean", ["period", "sqrt(x+ x-)", "|sqrt(x+ x-) - 2|"],
            [[period?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none", Format(geometric, 12), Format(Math.Abs(geometric - 2), 3)]]);
        return ClaimResult.Decided(period == 2 && Math.Abs(geometric - 2) <= 1e-9, NumberValue(geometric)) with { Evidence = [table, summary], Sources = sources };
    }
}
