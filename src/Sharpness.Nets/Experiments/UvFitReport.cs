namespace Sharpness.Nets.Experiments;

/// <summary>
/// The UV model's state and parameter in scaled variables (docs/uv-model.md section 3): r = η/η_c =
/// ηy/s, and the initial x₀ = ηλ₀ (scaled NTK) and g₀ = ηf₀/s (scaled output) at the first step of
/// the fit window.
/// </summary>
/// <param name="R">r = η/η_c &gt; 0.</param>
/// <param name="X0">x₀ = ηλ₀.</param>
/// <param name="G0">g₀ = ηf₀/s.</param>
public sealed record UvFitParameters(double R, double X0, double G0)
{
    /// <summary>f₀/y = g₀/r, the initial output relative to the target.</summary>
    public double OutputRatio0 => G0 / R;

    /// <summary>The conserved-then-shrinking quantity Q₀ = x₀² − 4g₀² ≥ 0 of the UV model (section 6).</summary>
    public double Q0 => (X0 * X0) - (4 * G0 * G0);
}

/// <summary>The UV model's prediction at one measured step.</summary>
/// <param name="Step">Training step.</param>
/// <param name="Sharpness">λ_H of the UV model (physical units, ηλ_H/η); NaN before the window or after divergence.</param>
/// <param name="OutputRatio">f/y = g/r of the UV model.</param>
/// <param name="Ntk">NTK λ = x/η of the UV model.</param>
public sealed record UvPrediction(int Step, double Sharpness, double OutputRatio, double Ntk);

/// <summary>One fitted UV trajectory and how well it matches the measured sharpness.</summary>
/// <param name="Kind">"free" (r, x₀, g₀ all fitted) or "anchored" (x₀ and f₀/y from the projected effective variables, only r fitted).</param>
/// <param name="Parameters">The fitted parameters.</param>
/// <param name="Objective">The least-squares objective at the fit (mean squared log error of λ_H, plus the output term when weighted).</param>
/// <param name="FitError">RMS relative error of λ_H over the fit window: √mean(((λ_UV − λ)/λ)²); +∞ when the UV trajectory diverged there.</param>
/// <param name="HeldOutError">The same over the held-out window (NaN when it is empty).</param>
/// <param name="Evaluations">Objective evaluations over all starts.</param>
/// <param name="Predictions">The UV trajectory at every measured step (NaN before the window).</param>
public sealed record UvFit(string Kind, UvFitParameters Parameters, double Objective, double FitError, double HeldOutError, int Evaluations, IReadOnlyList<UvPrediction> Predictions);

/// <summary>A reference model fitted on the same window, so the UV fit's error has something to be compared with.</summary>
/// <param name="Name">"constant" (the mean λ_H of the fit window), "linear" (least-squares line in the step) or "threshold" (λ_H = 2/η, nothing fitted).</param>
/// <param name="ParameterCount">Fitted parameters: 1, 2 or 0.</param>
/// <param name="FitError">RMS relative error of λ_H over the fit window.</param>
/// <param name="HeldOutError">The same over the held-out window (NaN when it is empty).</param>
/// <param name="Predictions">λ_H of the baseline at every measured step.</param>
public sealed record BaselineFit(string Name, int ParameterCount, double FitError, double HeldOutError, IReadOnlyList<double> Predictions);

/// <summary>Everything <see cref="UvTrajectoryFit.Fit"/> found.</summary>
public sealed record UvFitReport
{
    /// <summary>The learning rate η of the run (constant).</summary>
    public required double LearningRate { get; init; }

    /// <summary>First step of the fit window.</summary>
    public required int FitFrom { get; init; }

    /// <summary>Last step of the fit window (inclusive).</summary>
    public required int FitTo { get; init; }

    /// <summary>Measured steps in the fit window.</summary>
    public required int FitPoints { get; init; }

    /// <summary>Measured steps after the fit window.</summary>
    public required int HeldOutPoints { get; init; }

    /// <summary>The three-parameter fit.</summary>
    public required UvFit Free { get; init; }

    /// <summary>The one-parameter fit from the projected initial state; null when the effective variables were not measured at <see cref="FitFrom"/>.</summary>
    public UvFit? Anchored { get; init; }

    /// <summary>The baselines: constant, linear and threshold.</summary>
    public required IReadOnlyList<BaselineFit> Baselines { get; init; }
}
