namespace Sharpness.Web;

/// <summary>
/// Bounds on what one request may ask for, so that no request can exhaust the machine. A parameter
/// beyond its bound is refused with HTTP 400 naming it; the defaults are the ones docs/explorer.md lists.
/// </summary>
public sealed record ExplorerLimits
{
    /// <summary>Largest <c>steps</c> of a trajectory (default 10⁶).</summary>
    public int MaxTrajectorySteps { get; init; } = 1_000_000;

    /// <summary>Largest number of r values of an orbit diagram (default 4,000).</summary>
    public int MaxOrbitPoints { get; init; } = 4_000;

    /// <summary>Largest number of kept steps per r value of an orbit diagram (default 10,000).</summary>
    public int MaxOrbitKeep { get; init; } = 10_000;

    /// <summary>Largest transient of an orbit diagram (default 10⁶).</summary>
    public int MaxOrbitTransient { get; init; } = 1_000_000;

    /// <summary>Largest points × (transient + keep) of one orbit diagram, in map steps (default 2·10⁸, about a second here).</summary>
    public double MaxOrbitWork { get; init; } = 2e8;

    /// <summary>Largest points × keep of one orbit diagram, the values held before binning (default 10⁷, 80 MB).</summary>
    public double MaxOrbitKept { get; init; } = 1e7;

    /// <summary>Largest number of pixel rows an orbit diagram is binned into (default 4,000).</summary>
    public int MaxOrbitRows { get; init; } = 4_000;

    /// <summary>Largest number of arrows per axis of a vector field (default 101).</summary>
    public int MaxFieldGrid { get; init; } = 101;

    /// <summary>Largest number of cells of a phase diagram (default 40,000).</summary>
    public int MaxPhaseCells { get; init; } = 40_000;

    /// <summary>Largest cells × steps of a phase diagram (default 10⁸).</summary>
    public double MaxPhaseWork { get; init; } = 1e8;

    /// <summary>Largest number of run folders listed (default 10,000); the listing says when it stopped there.</summary>
    public int MaxRunsListed { get; init; } = 10_000;

    /// <summary>How deep below the runs folder run folders are looked for (default 6 levels).</summary>
    public int MaxScanDepth { get; init; } = 6;

    /// <summary>Largest number of points per column a data request returns (default 100,000).</summary>
    public int MaxDataPoints { get; init; } = 100_000;

    /// <summary>Largest number of rows a table request returns (default 100,000).</summary>
    public int MaxTableRows { get; init; } = 100_000;

    /// <summary>Largest file served or parsed whole, in bytes (default 256 MiB).</summary>
    public long MaxFileBytes { get; init; } = 256L << 20;

    /// <summary>Largest number of training jobs waiting in the queue (default 8).</summary>
    public int MaxQueuedJobs { get; init; } = 8;

    /// <summary>Largest number of event streams open at once (default 32).</summary>
    public int MaxEventStreams { get; init; } = 32;

    /// <summary>Largest request body, in bytes (default 64 KiB).</summary>
    public long MaxRequestBodyBytes { get; init; } = 64 << 10;

    /// <summary>Largest number of connections open at once (default 128).</summary>
    public long MaxConnections { get; init; } = 128;
}
