namespace Sharpness.Core.Spectral;

/// <summary>Settings of <see cref="HutchinsonTrace.Estimate(LinearAlgebra.ILinearOperator, HutchinsonOptions?, Action{TraceEstimate}?)"/>. All properties have usable defaults.</summary>
public sealed record HutchinsonOptions
{
    /// <summary>
    /// Stop once the standard error is at most this fraction of |estimate| (and at least <see cref="MinProbes"/>
    /// probes were used). Default 1e-2. 0 uses exactly <see cref="MaxProbes"/> probes.
    /// </summary>
    public double RelativeTolerance { get; init; } = 1e-2;

    /// <summary>Probes always used before the stop rule is consulted, ≥ 2 (a standard error needs two). Default 10.</summary>
    public int MinProbes { get; init; } = 10;

    /// <summary>Probe budget, ≥ <see cref="MinProbes"/>. Default 100 (PyHessian's default iteration count).</summary>
    public int MaxProbes { get; init; } = 100;

    /// <summary>Seed of the Rademacher probes (<see cref="RandomProbes.Rademacher"/>). Default 0.</summary>
    public ulong Seed { get; init; }

    /// <summary>Observed before every probe; cancellation returns the estimate so far (not converged). Default: none.</summary>
    public CancellationToken CancellationToken { get; init; }

    /// <summary>Throws on the first invalid setting, naming it.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public void Validate()
    {
        if (!(RelativeTolerance >= 0) || double.IsPositiveInfinity(RelativeTolerance))
        {
            throw new ArgumentOutOfRangeException(nameof(RelativeTolerance), RelativeTolerance, "The relative tolerance must be finite and ≥ 0.");
        }

        if (MinProbes < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(MinProbes), MinProbes, "At least 2 probes are needed for a standard error.");
        }

        if (MaxProbes < MinProbes)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxProbes), MaxProbes, $"The probe budget must be at least MinProbes = {MinProbes}.");
        }
    }
}
