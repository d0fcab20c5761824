namespace Sharpness.Nets.Experiments;

/// <summary>The UV model's prediction for the first step of a run (<see cref="GrowthWedge.Predict(InitialOutputState)"/>).</summary>
/// <param name="Regime">Progressive sharpening when <paramref name="Margin"/> &gt; 0, sharpness reduction when it is &lt; 0, flat when it is 0.</param>
/// <param name="Margin">m = x(1 − 2p + q²) − 4(q² − p): the one-step change of the scaled kernel in units of (ηy/s)², whose sign is the prediction.</param>
/// <param name="Projection">p = ⟨f₀, y⟩/‖y‖² used.</param>
/// <param name="NormRatio">q = ‖f₀‖/‖y‖ used.</param>
/// <param name="ScaledKernel">x = ηλ used.</param>
public sealed record GrowthWedgePrediction(EarlyRegime Regime, double Margin, double Projection, double NormRatio, double ScaledKernel);

/// <summary>
/// The growth wedge of the UV model (uv-model.md section 5) as a predictor of the early sharpness
/// trend, for one scalar output and, generalised, for many examples and outputs.
/// </summary>
/// <remarks>
/// <para>
/// For the UV model one gradient-descent step changes the scaled kernel x = ηλ by
/// Δx = Δg (x Δg − 4g) with g = ηf/s, Δg = g − r, r = ηy/s (uv-model.md section 3). Divided by r²
/// and written with the output relative to the target,
/// </para>
/// <para>    Δx / r² = x (f/y − 1)² − 4 (f/y)(f/y − 1),</para>
/// <para>
/// which for 0 &lt; x &lt; 4 is positive exactly inside the wedge −x/(4 − x) &lt; f/y &lt; 1 and
/// negative outside it.
/// </para>
/// <para>
/// Many examples and outputs: the two terms are the squared residual and the residual's overlap with
/// the output, Δf² and fΔf. With Frobenius norms over the measurement set they become ‖f − y‖² and
/// ⟨f, f − y⟩, and in units of ‖y‖², with q = ‖f₀‖/‖y‖ and p = ⟨f₀, y⟩/‖y‖²,
/// </para>
/// <para>    m = x (1 − 2p + q²) − 4 (q² − p),   x = ηκ,</para>
/// <para>
/// where κ = ‖∇L‖²/(2L) is the kernel seen by the residual (<see cref="ResidualKernel"/>). The rule
/// predicts progressive sharpening when m &gt; 0 and sharpness reduction when m &lt; 0. It reduces to
/// the scalar wedge when f₀ is parallel to y (q² = p², in particular for one output, where κ is the
/// UV model's λ). For a two-layer linear network f = V w / s with vector output it is exact at every
/// η: one gradient-descent step changes its weight norm Λ = (‖w‖² + ‖V‖²)/s², the UV model's λ, by
/// (η‖y‖²/s²) m, because the first-order change is −4η⟨f, f − y⟩/s² and the second-order one is
/// η²‖Jᵀ(f − y)‖²/s² = η²κ‖f − y‖²/s². For deeper, nonlinear networks it is the UV model's prediction,
/// not an identity. An output orthogonal to the targets counts as being on the wrong side of them:
/// for p = 0 the rule predicts sharpening only when q² &lt; x / (4 − x).
/// </para>
/// <para>
/// The rule predicts the trend of the kernel λ; the Hessian sharpness λ_H can move the other way while
/// the residual term of the Hessian dominates (uv-model.md section 4; docs/real-networks.md discusses it).
/// </para>
/// </remarks>
public static class GrowthWedge
{
    /// <summary>The margin m = x(1 − 2p + q²) − 4(q² − p); positive inside the wedge.</summary>
    /// <param name="projection">p = ⟨f₀, y⟩/‖y‖² (f/y for one output).</param>
    /// <param name="normRatio">q = ‖f₀‖/‖y‖ ≥ |p| (|f/y| for one output).</param>
    /// <param name="scaledKernel">x = ηλ ≥ 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is not finite, q &lt; 0, x &lt; 0, or |p| exceeds q by more than rounding (Cauchy–Schwarz).</exception>
    public static double Margin(double projection, double normRatio, double scaledKernel)
    {
        Validate(projection, normRatio, scaledKernel);
        double q2 = normRatio * normRatio;
        return (scaledKernel * (1 - (2 * projection) + q2)) - (4 * (q2 - projection));
    }

    /// <summary>Predicts the first-step trend from p, q and x (see the class remarks for the rule).</summary>
    /// <param name="projection">p = ⟨f₀, y⟩/‖y‖².</param>
    /// <param name="normRatio">q = ‖f₀‖/‖y‖.</param>
    /// <param name="scaledKernel">x = ηλ.</param>
    public static GrowthWedgePrediction Predict(double projection, double normRatio, double scaledKernel)
    {
        double margin = Margin(projection, normRatio, scaledKernel);
        var regime = margin > 0 ? EarlyRegime.ProgressiveSharpening : margin < 0 ? EarlyRegime.SharpnessReduction : EarlyRegime.Flat;
        return new GrowthWedgePrediction(regime, margin, projection, normRatio, scaledKernel);
    }

    /// <summary>Predicts the first-step trend of a measured initial state (x = ηκ₀).</summary>
    /// <param name="state">The measured state.</param>
    public static GrowthWedgePrediction Predict(InitialOutputState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return Predict(state.Projection, state.NormRatio, state.ScaledKernel);
    }

    /// <summary>The wedge of one scalar output: sharpness grows for <c>Lower</c> &lt; f/y &lt; <c>Upper</c> = 1, with Lower = −x/(4 − x).</summary>
    /// <param name="scaledKernel">x = ηλ in [0, 4).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="scaledKernel"/> is outside [0, 4) (at x ≥ 4 the field points up almost everywhere).</exception>
    public static (double Lower, double Upper) ScalarEdges(double scaledKernel)
    {
        if (!(scaledKernel >= 0 && scaledKernel < 4))
        {
            throw new ArgumentOutOfRangeException(nameof(scaledKernel), scaledKernel, "The wedge is defined for 0 ≤ x < 4.");
        }

        return (-scaledKernel / (4 - scaledKernel), 1);
    }

    private static void Validate(double projection, double normRatio, double scaledKernel)
    {
        if (!double.IsFinite(projection))
        {
            throw new ArgumentOutOfRangeException(nameof(projection), projection, "The projection must be finite.");
        }

        if (!(normRatio >= 0) || !double.IsFinite(normRatio))
        {
            throw new ArgumentOutOfRangeException(nameof(normRatio), normRatio, "The norm ratio must be finite and non-negative.");
        }

        if (!(scaledKernel >= 0) || !double.IsFinite(scaledKernel))
        {
            throw new ArgumentOutOfRangeException(nameof(scaledKernel), scaledKernel, "The scaled kernel x = ηλ must be finite and non-negative.");
        }

        if (Math.Abs(projection) > normRatio * (1 + 1e-9) + 1e-300)
        {
            throw new ArgumentOutOfRangeException(nameof(projection), projection, $"|p| cannot exceed q = {normRatio} (Cauchy–Schwarz).");
        }
    }
}
