using Sharpness.Uv;

namespace Sharpness.Experiments.Uv;

/// <summary>
/// Options of <see cref="UvLyapunovExperiment"/> (<c>sharpness uv lyapunov</c>): the Lyapunov
/// spectrum, period and label of the late dynamics of the scaled map, at one r or over a sweep.
/// </summary>
public sealed record UvLyapunovOptions
{
    /// <summary>A single scaled target r = η/η_c; excludes <see cref="RMin"/> and <see cref="RMax"/>.</summary>
    public double? R { get; init; }

    /// <summary>Sweep: smallest r (with <see cref="RMax"/>).</summary>
    public double? RMin { get; init; }

    /// <summary>Sweep: largest r (with <see cref="RMin"/>).</summary>
    public double? RMax { get; init; }

    /// <summary>Sweep: number of r values, evenly spaced with the ends included, ≥ 2. Default 400.</summary>
    public int Points { get; init; } = 400;

    /// <summary>Initial x = ηλ₀ (scaled NTK; the 2-D map only). Default 1.</summary>
    public double X0 { get; init; } = UvOrbitOptions.DefaultX0;

    /// <summary>Initial g = ηf₀/s (scaled output; positive on the manifold). Default 0.2.</summary>
    public double G0 { get; init; } = UvOrbitOptions.DefaultG0;

    /// <summary>Steps discarded before averaging, ≥ 0. Default 1000.</summary>
    public int Transient { get; init; } = 1000;

    /// <summary>Steps averaged for the exponents, ≥ 1. Default 10000.</summary>
    public int Steps { get; init; } = 10_000;

    /// <summary>Use the 1-D map on the EoS manifold (one exponent) instead of the 2-D map. Default off.</summary>
    public bool Manifold { get; init; }

    /// <summary>Whether the options describe a sweep (no <see cref="R"/>).</summary>
    public bool IsSweep => R is null;

    /// <summary>Checks every option.</summary>
    /// <exception cref="InvalidOptionException">An option is out of range, or neither (or both) of a single r and a sweep is given.</exception>
    public void Validate() => Grid();

    /// <summary>The values of r: the single one, or the sweep's.</summary>
    /// <exception cref="InvalidOptionException">An option is invalid.</exception>
    public double[] Grid()
    {
        if (R is not null && (RMin is not null || RMax is not null))
        {
            throw new InvalidOptionException("--r", "give either --r or a sweep (--r-min, --r-max), not both.");
        }

        if (R is null && (RMin is null || RMax is null))
        {
            throw new InvalidOptionException(RMin is null ? "--r-min" : "--r-max", "a sweep needs both --r-min and --r-max (or give --r).");
        }

        double[] grid;
        if (R is double r0)
        {
            grid = [OptionChecks.Finite(r0, "--r")];
        }
        else
        {
            var (lo, hi) = OptionChecks.Range(RMin!.Value, RMax!.Value, "--r-min", "--r-max");
            int count = OptionChecks.AtLeast(Points, 2, "--points");
            OptionChecks.Memory("--points", $"{count:N0} values of r", UvCost.LyapunovBytes(count), "the sweep's results");
            grid = Core.EvenGrid.Values(lo, hi, count);
        }

        OptionChecks.Finite(X0, "--x0");
        OptionChecks.Finite(G0, "--g0");
        OptionChecks.AtLeast(Transient, 0, "--transient");
        OptionChecks.AtLeast(Steps, 1, "--steps");
        OptionChecks.Operations(grid.Length > Steps ? "--points" : "--steps", $"{grid.Length:N0} values of {Transient:N0} + {Steps:N0} steps", grid.Length * ((double)Transient + Steps), "map steps");
        if (Manifold && !(G0 > 0))
        {
            throw new InvalidOptionException("--g0", $"must be positive on the manifold map, got {OptionChecks.Text(G0)}.");
        }

        return grid;
    }
}
