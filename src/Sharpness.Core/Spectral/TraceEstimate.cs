namespace Sharpness.Core.Spectral;

/// <summary>A Hutchinson estimate of the trace of a symmetric operator, with its standard error and the quadratic forms it averages.</summary>
public sealed record TraceEstimate
{
    /// <summary>The estimate: the mean of the quadratic forms vᵢᵀ A vᵢ (NaN before the first probe).</summary>
    public required double Estimate { get; init; }

    /// <summary>
    /// The standard error of <see cref="Estimate"/>: the sample standard deviation of the quadratic forms (n − 1 in the
    /// denominator) divided by √n; NaN with fewer than two probes.
    /// </summary>
    public required double StandardError { get; init; }

    /// <summary>Number of probes n (one operator application each).</summary>
    public int Probes => QuadraticForms.Count;

    /// <summary>The quadratic forms vᵢᵀ A vᵢ in probe order.</summary>
    public required IReadOnlyList<double> QuadraticForms { get; init; }

    /// <summary>True when the stop rule (<see cref="HutchinsonOptions.RelativeTolerance"/>) was met; false when the probe budget, cancellation or a non-finite product ended the run.</summary>
    public required bool Converged { get; init; }

    /// <summary>The relative standard error <see cref="StandardError"/> / |<see cref="Estimate"/>| (infinite when the estimate is 0).</summary>
    public double RelativeStandardError => StandardError / Math.Abs(Estimate);
}
