namespace Sharpness.Core.Spectral;

/// <summary>Settings of <see cref="StochasticLanczosQuadrature.Estimate(LinearAlgebra.ILinearOperator, SlqOptions?, Action{int}?)"/>. All properties have usable defaults.</summary>
public sealed record SlqOptions
{
    /// <summary>Number of random start vectors R ≥ 1 (PyHessian's <c>n_v</c>). Default 1, as PyHessian.</summary>
    public int Probes { get; init; } = 1;

    /// <summary>
    /// Lanczos steps m ≥ 1 per probe (PyHessian's <c>iter</c>), capped at the operator size; each costs one operator
    /// application, and memory is m vectors of the operator's size. Default 100, as PyHessian.
    /// </summary>
    public int Steps { get; init; } = 100;

    /// <summary>Seed of the Rademacher start vectors (<see cref="RandomProbes.Rademacher"/>). Default 0.</summary>
    public ulong Seed { get; init; }

    /// <summary>Observed before every operator application; cancellation returns the finished probes. Default: none.</summary>
    public CancellationToken CancellationToken { get; init; }

    /// <summary>Throws on the first invalid setting, naming it.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Probes, 1, nameof(Probes));
        ArgumentOutOfRangeException.ThrowIfLessThan(Steps, 1, nameof(Steps));
    }
}
