using Sharpness.Core.Eigen;
using Sharpness.Core.Spectral;
using Sharpness.Nets.Hessian;

namespace Sharpness.Experiments.Spectrum;

/// <summary>Eigenvalues at one end of a spectrum, as Lanczos found them, with their residuals and cost.</summary>
/// <param name="Eigenvalues">The eigenvalues, most extreme first (largest first at the top, most negative first at the bottom).</param>
/// <param name="Residuals">‖A v − λ v‖ of each, same order.</param>
/// <param name="Matvecs">Products used.</param>
/// <param name="Converged">Whether the residual tolerance was met (false: the product budget ended the run).</param>
/// <param name="StopReason">Why the run ended.</param>
/// <param name="Time">Wall and processor time of the run.</param>
public sealed record SpectrumEnd(IReadOnlyList<double> Eigenvalues, IReadOnlyList<double> Residuals, int Matvecs, bool Converged, StopReason StopReason, StageTime Time);

/// <summary>The trace estimate with its wall time.</summary>
/// <param name="Estimate">Hutchinson's estimate, its standard error and the quadratic forms.</param>
/// <param name="Time">Wall and processor time.</param>
public sealed record SpectrumTrace(TraceEstimate Estimate, StageTime Time);

/// <summary>The spectral density: the SLQ quadrature rules, the broadening and the smoothed density on a grid.</summary>
/// <param name="Estimate">The quadrature rules of the probes.</param>
/// <param name="Broadening">The Gaussian σ used.</param>
/// <param name="Lambda">Grid of eigenvalues λ.</param>
/// <param name="Density">ρ(λ) on the grid, normalised to integrate to 1 (P ρ counts eigenvalues per unit λ).</param>
/// <param name="Time">Wall and processor time.</param>
public sealed record SpectrumDensity(SpectralDensity Estimate, double Broadening, IReadOnlyList<double> Lambda, IReadOnlyList<double> Density, StageTime Time);

/// <summary>How long a stage took: wall time, and processor time of the whole process (all threads) meanwhile.</summary>
/// <param name="Seconds">Wall time in seconds.</param>
/// <param name="CpuSeconds">Processor time of the process in seconds (user and system, all threads); on a shared machine this, not the wall time, is the cost.</param>
public sealed record StageTime(double Seconds, double CpuSeconds)
{
    /// <summary>Starts timing; the returned function gives the time since.</summary>
    public static Func<StageTime> Start()
    {
        long wall = System.Diagnostics.Stopwatch.GetTimestamp();
        TimeSpan cpu = Environment.CpuUsage.TotalTime;
        return () => new StageTime(System.Diagnostics.Stopwatch.GetElapsedTime(wall).TotalSeconds, (Environment.CpuUsage.TotalTime - cpu).TotalSeconds);
    }
}

/// <summary>What <see cref="SpectrumExperiment.Run"/> measured: the model and data it used and the curvature of the loss.</summary>
public sealed record SpectrumResult
{
    /// <summary>The options the run used.</summary>
    public required SpectrumOptions Options { get; init; }

    /// <summary>When the run started (UTC).</summary>
    public required DateTimeOffset StartedUtc { get; init; }

    /// <summary>SHA-256 of the TorchScript file; null for a model in memory.</summary>
    public required string? ModelSha256 { get; init; }

    /// <summary>SHA-256 of the data file; null for a toolkit dataset.</summary>
    public required string? DataSha256 { get; init; }

    /// <summary>Where the data came from: the data file's path or the toolkit dataset's name.</summary>
    public required string DataSource { get; init; }

    /// <summary>Trainable parameters P (the Hessian is P × P).</summary>
    public required int Parameters { get; init; }

    /// <summary>The trainable parameters' names and shapes, in the order of the flat parameter vector.</summary>
    public required IReadOnlyList<(string Name, long[] Shape)> ParameterShapes { get; init; }

    /// <summary>Examples N the loss is averaged over.</summary>
    public required int Examples { get; init; }

    /// <summary>The shape of one example as the module took it.</summary>
    public required IReadOnlyList<int> InputShape { get; init; }

    /// <summary>Outputs per example k.</summary>
    public required int Outputs { get; init; }

    /// <summary>The loss (state its convention with every eigenvalue).</summary>
    public LossFunction Loss => Options.Loss;

    /// <summary>The mean loss L at the module's parameters.</summary>
    public required double LossValue { get; init; }

    /// <summary>‖∇L‖, the gradient norm of the mean loss.</summary>
    public required double GradientNorm { get; init; }

    /// <summary>The largest Hessian eigenvalues.</summary>
    public required SpectrumEnd Top { get; init; }

    /// <summary>The smallest Hessian eigenvalues, or null when none were asked for.</summary>
    public required SpectrumEnd? Bottom { get; init; }

    /// <summary>The top eigenvalue of the Gauss–Newton matrix (the NTK's on the loss's scale), or null when not asked for.</summary>
    public required SpectrumEnd? GaussNewton { get; init; }

    /// <summary>The trace estimate, or null when not asked for.</summary>
    public required SpectrumTrace? Trace { get; init; }

    /// <summary>The spectral density, or null when not asked for.</summary>
    public required SpectrumDensity? Density { get; init; }

    /// <summary>Hessian-vector products in all (Gauss–Newton products counted apart in <see cref="GaussNewton"/>).</summary>
    public int HessianProducts => Top.Matvecs + (Bottom?.Matvecs ?? 0) + (Trace?.Estimate.Probes ?? 0) + (Density?.Estimate.Matvecs ?? 0);

    /// <summary>Whether the graph-executor optimisation of TorchScript was off (it changes speed only).</summary>
    public required bool GraphOptimisationOff { get; init; }

    /// <summary>Total wall and processor time (loading included).</summary>
    public required StageTime Time { get; init; }
}
