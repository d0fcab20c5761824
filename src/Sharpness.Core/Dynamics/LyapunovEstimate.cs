namespace Sharpness.Core.Dynamics;

/// <summary>
/// A finite-time Lyapunov exponent with its uncertainty, and what the two together allow one to
/// say about its sign: positive (chaos), negative (contracting), or neither (marginal).
/// </summary>
/// <remarks>
/// The averaging window is cut into <see cref="Blocks"/> consecutive blocks of (nearly) equal
/// length, the tangent vector carried through without a restart, and the mean log-stretch of each
/// block recorded. The uncertainty combines two effects: the statistical error of the mean (the
/// batch-means standard error, standard deviation of the block means over √B), and the bias of an
/// exponent that is still drifting (half the least-squares change of the block means across the
/// window; an orbit that approaches a marginal fixed point or cycle algebraically has a
/// finite-time exponent that keeps moving towards zero). They are added in quadrature. A sign is
/// claimed only when the value is more than twice its uncertainty away from zero.
/// </remarks>
/// <param name="Value">The exponent over the whole window (natural log per step).</param>
/// <param name="Uncertainty">Its uncertainty (natural log per step, ≥ 0; +∞ when the window is too short to tell).</param>
public readonly record struct LyapunovEstimate(double Value, double Uncertainty)
{
    /// <summary>Number of blocks the averaging window is cut into.</summary>
    public const int Blocks = 10;

    /// <summary>Uncertainties a sign must clear: the value is significant beyond this many of them.</summary>
    public const double Significance = 2;

    /// <summary>Whether the exponent is positive beyond its uncertainty and above <paramref name="floor"/>.</summary>
    /// <param name="floor">Smallest exponent accepted as positive whatever the uncertainty (default 1e-3, <see cref="LongRunClassifier.ChaosThreshold"/>).</param>
    public bool IsPositive(double floor = LongRunClassifier.ChaosThreshold) => Value > floor && Value > Significance * Uncertainty;

    /// <summary>Whether the exponent is negative beyond its uncertainty.</summary>
    public bool IsNegative => Value < -Significance * Uncertainty;

    /// <summary>Neither positive nor negative: within its uncertainty of zero (or positive but below the floor).</summary>
    /// <param name="floor">As in <see cref="IsPositive"/>.</param>
    public bool IsMarginal(double floor = LongRunClassifier.ChaosThreshold) => !IsPositive(floor) && !IsNegative && !double.IsNaN(Value);

    /// <summary>The estimate from the sums of the log-stretch factors over consecutive blocks of a window.</summary>
    /// <param name="blockSums">Sum of ln(stretch) over each block.</param>
    /// <param name="blockLengths">Steps in each block (same length as <paramref name="blockSums"/>, each ≥ 1).</param>
    /// <returns>The exponent (total sum over total steps) and its uncertainty; +∞ uncertainty with fewer than 4 blocks.</returns>
    public static LyapunovEstimate FromBlocks(ReadOnlySpan<double> blockSums, ReadOnlySpan<int> blockLengths)
    {
        if (blockSums.Length != blockLengths.Length)
        {
            throw new ArgumentException($"{blockSums.Length} block sums but {blockLengths.Length} block lengths.", nameof(blockLengths));
        }

        int count = blockSums.Length;
        double total = 0;
        long steps = 0;
        var means = new double[count];
        for (int b = 0; b < count; b++)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(blockLengths[b], 1, nameof(blockLengths));
            total += blockSums[b];
            steps += blockLengths[b];
            means[b] = blockSums[b] / blockLengths[b];
        }

        double value = steps > 0 ? total / steps : double.NaN;
        if (count < 4 || !double.IsFinite(value))
        {
            return new LyapunovEstimate(value, double.PositiveInfinity);
        }

        double mean = means.Average();
        double meanIndex = (count - 1) / 2.0, sxx = 0, sxy = 0, squares = 0;
        for (int b = 0; b < count; b++)
        {
            sxx += (b - meanIndex) * (b - meanIndex);
            sxy += (b - meanIndex) * (means[b] - mean);
            squares += (means[b] - mean) * (means[b] - mean);
        }

        double standardError = Math.Sqrt(squares / (count - 1) / count);
        double drift = sxy / sxx * (count - 1);
        return new LyapunovEstimate(value, Math.Sqrt((standardError * standardError) + (drift * drift / 4)));
    }
}

/// <summary>
/// Accumulates the log-stretch factors of a window of known length step by step, block by block,
/// and gives the <see cref="LyapunovEstimate"/> of the steps added so far.
/// </summary>
public sealed class LyapunovAccumulator
{
    private readonly int _window;
    private readonly int _blockCount;
    private readonly double[] _blockSums;
    private readonly int[] _blockLengths;
    private double _total;
    private int _steps;

    /// <summary>Starts an empty accumulator.</summary>
    /// <param name="window">Steps the window will hold (≥ 1); it is cut into min(<see cref="LyapunovEstimate.Blocks"/>, window) blocks of nearly equal length.</param>
    public LyapunovAccumulator(int window)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 1);
        _window = window;
        _blockCount = Math.Min(LyapunovEstimate.Blocks, window);
        _blockSums = new double[_blockCount];
        _blockLengths = new int[_blockCount];
    }

    /// <summary>Steps added so far.</summary>
    public int Steps => _steps;

    /// <summary>Sum of the log-stretch factors added so far.</summary>
    public double Total => _total;

    /// <summary>Adds the log-stretch factor of the next step.</summary>
    /// <param name="logStretch">ln of the growth of the tangent vector over the step.</param>
    public void Add(double logStretch)
    {
        if (_steps >= _window)
        {
            throw new InvalidOperationException($"The window holds {_window} steps; all have been added.");
        }

        // Step t falls in block ⌊t·count/window⌋.
        int block = (int)(((long)_steps * _blockCount) / _window);
        _blockSums[block] += logStretch;
        _blockLengths[block]++;
        _total += logStretch;
        _steps++;
    }

    /// <summary>The estimate over the steps added so far: the exponent is <see cref="Total"/>/<see cref="Steps"/> exactly, the uncertainty from the blocks that hold steps.</summary>
    public LyapunovEstimate Estimate()
    {
        int filled = _blockLengths.Count(n => n > 0);
        var estimate = LyapunovEstimate.FromBlocks(_blockSums.AsSpan(0, filled), _blockLengths.AsSpan(0, filled));
        return estimate with { Value = _steps > 0 ? _total / _steps : double.NaN };
    }
}
