namespace Sharpness.Core.Eigen;

/// <summary>Settings shared by <see cref="Lanczos"/> and <see cref="PowerIteration"/>. All properties have usable defaults.</summary>
public sealed record EigenSolverOptions
{
    /// <summary>Number k of wanted eigenpairs; 1 ≤ k ≤ operator size. Default 1.</summary>
    public int Count { get; init; } = 1;

    /// <summary>Which end of the spectrum is wanted. Default <see cref="EigenTarget.LargestAlgebraic"/>.</summary>
    public EigenTarget Target { get; init; } = EigenTarget.LargestAlgebraic;

    /// <summary>
    /// Optional warm start (for example the eigenvector found at the previous training step). Must have length
    /// <c>Size</c>, finite entries and a nonzero norm; it is copied and normalised, never modified.
    /// When null a Gaussian start vector is drawn from <see cref="Seed"/>.
    /// </summary>
    public double[]? StartVector { get; init; }

    /// <summary>
    /// Seed of the deterministic random numbers used for the start vector (when <see cref="StartVector"/> is null) and
    /// for any fresh directions the solver needs later. Same seed, operator and options give bit-identical results.
    /// Default 0.
    /// </summary>
    public ulong Seed { get; init; }

    /// <summary>
    /// When to stop; checked after every operator application. Null (the default) means
    /// <see cref="StopCriteria.Default(int, double)"/> with its defaults (1000 matvecs, residual tolerance 1e-8).
    /// </summary>
    public IEigenStopCriterion? StopCriterion { get; init; }

    /// <summary>
    /// <see cref="Lanczos"/> only: number of basis vectors kept before a thick restart (memory is about this many
    /// vectors of length <c>Size</c>). 0 (the default) picks <c>min(Size, max(2k + 20, 40))</c>. Values above
    /// <c>Size</c> are reduced to <c>Size</c>; otherwise the value must be at least k + 2 (at least 2k is recommended).
    /// </summary>
    public int MaxBasisSize { get; init; }

    /// <summary>
    /// Observed before every operator application; when cancellation is requested the solver returns its current
    /// estimates with <see cref="StopReason.Cancelled"/> instead of throwing. Default: none.
    /// </summary>
    public CancellationToken CancellationToken { get; init; }
}
