using System.Globalization;

namespace Sharpness.Nets.Experiments;

/// <summary>
/// The grid of learning-rate constants c = 2^x of the early-training phase diagram, with η = c/λ_H(0):
/// x runs from log2(c_min) in steps of <see cref="ExponentStep"/> while it does not pass log2(c_max).
/// </summary>
/// <remarks>
/// The grid resolves a critical constant to one step: a constant reported as c_i lies between the grid
/// neighbours, a factor 2^step either side. Exponents are rounded to 12 decimals so that c = 2 sits exactly
/// on the grid whenever log2(c_min) and the step allow it (for example c_min = 0.5, step 0.1).
/// </remarks>
public sealed class LearningRateConstantGrid
{
    private readonly double[] _exponents;
    private readonly double[] _values;

    private LearningRateConstantGrid(double[] exponents, double step)
    {
        _exponents = exponents;
        _values = exponents.Select(x => Math.Pow(2, x)).ToArray();
        ExponentStep = step;
    }

    /// <summary>The step of x = log2 c between neighbours.</summary>
    public double ExponentStep { get; }

    /// <summary>Number of grid values (at least 1).</summary>
    public int Count => _values.Length;

    /// <summary>The exponents x_i = log2 c_i, increasing.</summary>
    public IReadOnlyList<double> Exponents => _exponents;

    /// <summary>The constants c_i = 2^{x_i}, increasing.</summary>
    public IReadOnlyList<double> Values => _values;

    /// <summary>c_i.</summary>
    /// <param name="index">i in [0, <see cref="Count"/>).</param>
    public double this[int index] => _values[index];

    /// <summary>Builds the grid c_i = 2^{log2(cMin) + i·step} for every i whose value does not exceed <paramref name="cMax"/>.</summary>
    /// <param name="cMin">Smallest constant, positive and finite.</param>
    /// <param name="cMax">Largest constant, at least <paramref name="cMin"/>.</param>
    /// <param name="step">Exponent step, positive; at most 10,000 grid points.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public static LearningRateConstantGrid Create(double cMin, double cMax, double step)
    {
        if (!(cMin > 0) || !double.IsFinite(cMin))
        {
            throw new ArgumentOutOfRangeException(nameof(cMin), cMin, "c_min must be positive and finite.");
        }

        if (!(cMax >= cMin) || !double.IsFinite(cMax))
        {
            throw new ArgumentOutOfRangeException(nameof(cMax), cMax, "c_max must be finite and at least c_min.");
        }

        if (!(step > 0) || !double.IsFinite(step))
        {
            throw new ArgumentOutOfRangeException(nameof(step), step, "The exponent step must be positive and finite.");
        }

        double first = Math.Log2(cMin), last = Math.Log2(cMax);
        double span = (last - first) / step;
        if (span > 10_000)
        {
            throw new ArgumentOutOfRangeException(nameof(step), step, $"The grid would have {Math.Floor(span) + 1:F0} points; at most 10,000 are allowed.");
        }

        int count = (int)Math.Floor(span + 1e-9) + 1;
        double[] exponents = Enumerable.Range(0, count).Select(i => Math.Round(first + (i * step), 12)).ToArray();
        return new LearningRateConstantGrid(exponents, step);
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture, $"c = 2^x, x = {_exponents[0]:G6} .. {_exponents[^1]:G6} step {ExponentStep:G6} ({Count} values)");
}
