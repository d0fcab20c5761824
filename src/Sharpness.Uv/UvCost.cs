namespace Sharpness.Uv;

/// <summary>
/// What the UV computations cost before they start: bytes of memory their sizes imply and the
/// number of map or gradient steps they take, as doubles so that products of large counts cannot
/// overflow. The estimates are upper bounds of the right order (headers and growth of lists
/// included), used to refuse sizes a machine cannot hold before anything is allocated.
/// </summary>
public static class UvCost
{
    /// <summary>Bytes per recorded gradient-descent step: the record, list growth, the figure's copy and the regime analysis.</summary>
    public const double BytesPerRecordedStep = 256;

    /// <summary>Bytes per hidden unit of a network in parameter space: (u, v) and a copy, plus a row of explicit weights.</summary>
    public const double BytesPerHiddenUnit = 48;

    /// <summary>Memory of <c>uv simulate</c> (and one run of a physical phase diagram): the network and the trajectory of <paramref name="steps"/> + 1 records.</summary>
    /// <param name="width">n.</param>
    /// <param name="inputDimension">d.</param>
    /// <param name="steps">T.</param>
    public static double SimulationBytes(double width, double inputDimension, double steps) =>
        (BytesPerHiddenUnit * width) + (8.0 * width * inputDimension) + (BytesPerRecordedStep * (steps + 1));

    /// <summary>Memory of an orbit diagram: the grid and its points, and every kept sample (g and x, 16 bytes), which the diagram holds until it is written.</summary>
    /// <param name="points">Swept values.</param>
    /// <param name="keep">Steps kept per value.</param>
    /// <param name="passes">1, or 2 for a warm start in both directions.</param>
    public static double OrbitBytes(double points, double keep, double passes) =>
        (128.0 * points * passes) + (16.0 * keep * points * passes);

    /// <summary>
    /// Memory of an orbit diagram streamed to its table as it is computed: the grid and its points,
    /// and the kept samples (16 bytes each) of only the values in flight.
    /// </summary>
    /// <param name="points">Swept values.</param>
    /// <param name="keep">Steps kept per value.</param>
    /// <param name="passes">1, or 2 for a warm start in both directions.</param>
    /// <param name="valuesInFlight">Values whose samples are held at once (computed together or queued for writing).</param>
    public static double OrbitStreamedBytes(double points, double keep, double passes, double valuesInFlight) =>
        (128.0 * points * passes) + (16.0 * keep * Math.Min(valuesInFlight, points * passes));

    /// <summary>Size of an orbit diagram's table (orbit.csv): about 100 bytes per kept sample.</summary>
    /// <param name="points">Swept values.</param>
    /// <param name="keep">Steps kept per value.</param>
    /// <param name="passes">1, or 2 for a warm start in both directions.</param>
    public static double OrbitTableBytes(double points, double keep, double passes) => 100.0 * points * keep * passes;

    /// <summary>Map steps of an orbit diagram.</summary>
    /// <param name="points">Swept values.</param>
    /// <param name="transient">Discarded steps per value.</param>
    /// <param name="keep">Kept steps per value.</param>
    /// <param name="passes">1, or 2 for a warm start in both directions.</param>
    public static double OrbitSteps(double points, double transient, double keep, double passes) => points * (transient + keep) * passes;

    /// <summary>Memory of a Lyapunov sweep: per value the grid entry, its classification and its summary (about 2 KiB).</summary>
    /// <param name="points">Values of r.</param>
    public static double LyapunovBytes(double points) => 2048.0 * points;

    /// <summary>Memory of a scaled phase diagram: per cell its category, label and table row.</summary>
    /// <param name="cells">Cells (c values times r values).</param>
    public static double PhaseCellBytes(double cells) => 256.0 * cells;

    /// <summary>Most arrows per axis of a vector field: 1000 (a million arrows) is already more than a figure can show.</summary>
    public const int MaxFieldGrid = 1000;

    /// <summary>Memory of a vector field: the arrows of a grid × grid lattice and the trajectories' states.</summary>
    /// <param name="grid">Arrows per axis.</param>
    /// <param name="trajectories">Overlaid trajectories.</param>
    /// <param name="steps">Steps per trajectory.</param>
    public static double FieldBytes(double grid, double trajectories, double steps) => (512.0 * grid * grid) + (64.0 * trajectories * (steps + 1));
}
