using Sharpness.Uv.Dynamics;
using Sharpness.Uv.Model;

namespace Sharpness.Experiments.Uv;

/// <summary>The outcome of <see cref="UvOrbitExperiment"/>: the kept iterates at every swept value.</summary>
public sealed record UvOrbitResult
{
    /// <summary>The options as given.</summary>
    public required UvOrbitOptions Options { get; init; }

    /// <summary>The swept values, in units of the axis, ascending.</summary>
    public required IReadOnlyList<double> Grid { get; init; }

    /// <summary>
    /// The kept iterates g and x of every visited value, in visiting order (for a warm start, the
    /// order of the sweep; pass 1 is the way down of <see cref="SweepDirection.Both"/>). After a
    /// divergence the remaining entries are NaN. Empty when the run streamed them to a sink
    /// instead (<see cref="UvOrbitExperiment.Run(UvOrbitOptions, Action{OrbitSamples}, IProgress{Sharpness.Experiments.Progress.ExperimentProgress}?, CancellationToken)"/>, <see cref="UvOrbitWriter.Run"/>).
    /// </summary>
    public IReadOnlyList<OrbitSamples> Samples { get; init; } = [];

    /// <summary>The model for the η and c axes; null for r.</summary>
    public UvModelConfig? Model { get; init; }

    /// <summary>The model's initial f₀, λ₀, s and y (for the η and c axes); null for r.</summary>
    public UvInitialState? ModelInitial { get; init; }

    /// <summary>The flip points of the period-doubling cascade on the EoS manifold that fall in the swept range, in units of the axis.</summary>
    public required IReadOnlyList<double> FlipPoints { get; init; }

    /// <summary>Values that diverged.</summary>
    public required int DivergedValues { get; init; }

    /// <summary>Map steps iterated: (transient + keep) × values × passes.</summary>
    public long MapSteps => (long)(Options.Transient + Options.Keep) * Options.Points * (Options.TwoPasses ? 2 : 1);

    /// <summary>Rows of orbit.csv: the finite kept iterates (those before a divergence) of every visited value.</summary>
    public required long Rows { get; init; }

    /// <summary>Iterates the figure draws: every <see cref="UvOrbitFigures.Stride"/>-th finite kept iterate of each value.</summary>
    public required long PlottedPoints { get; init; }

    /// <summary>Kept iterates of one value before the first non-finite one.</summary>
    /// <param name="samples">The value's samples.</param>
    public static int FiniteCount(OrbitSamples samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        int k = 0;
        while (k < samples.G.Length && double.IsFinite(samples.G[k]) && double.IsFinite(samples.X[k]))
        {
            k++;
        }

        return k;
    }

    /// <summary>Wall time of the computation, in seconds.</summary>
    public required double Seconds { get; init; }

    /// <summary>When the run started (UTC).</summary>
    public required DateTimeOffset StartedUtc { get; init; }
}

/// <summary>A UV model's initial output, NTK, normaliser and target: what places an η or c axis value in scaled variables.</summary>
/// <param name="Output">f₀.</param>
/// <param name="Ntk">λ₀.</param>
/// <param name="Normaliser">s = S/|x|.</param>
/// <param name="Target">y.</param>
public sealed record UvInitialState(double Output, double Ntk, double Normaliser, double Target);
