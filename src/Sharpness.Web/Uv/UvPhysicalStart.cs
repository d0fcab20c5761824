using Sharpness.Uv.Dynamics;
using Sharpness.Uv.Model;

namespace Sharpness.Web.Uv;

/// <summary>
/// The scaled initial state of a physical UV model (docs/uv-model.md section 3): the weights of
/// width n, parameterisation and σ_w² drawn from the seed exactly as <c>sharpness uv simulate</c> draws
/// them, then r = ηy/s, x₀ = ηλ₀, g₀ = ηf₀/s, with η given or set to c/λ_H(0).
/// </summary>
/// <param name="Width">n.</param>
/// <param name="Param">Parameterisation (ntp, mup, sp or s=VALUE).</param>
/// <param name="InitScale">σ_w².</param>
/// <param name="Target">y.</param>
/// <param name="Seed">Seed of the weights.</param>
/// <param name="Normaliser">Effective normaliser s.</param>
/// <param name="LearningRate">η.</param>
/// <param name="Output">f₀.</param>
/// <param name="Ntk">λ₀ (NTK).</param>
/// <param name="Sharpness">λ_H(0) (Hessian sharpness).</param>
/// <param name="R">r = ηy/s.</param>
/// <param name="X0">x₀ = ηλ₀.</param>
/// <param name="G0">g₀ = ηf₀/s.</param>
public sealed record UvPhysicalStart(
    int Width, string Param, double InitScale, double Target, ulong Seed, double Normaliser, double LearningRate,
    double Output, double Ntk, double Sharpness, double R, double X0, double G0)
{
    /// <summary>Draws the weights and converts.</summary>
    /// <param name="width">n ≥ 1.</param>
    /// <param name="parameterisation">Parameterisation.</param>
    /// <param name="initScale">σ_w² &gt; 0.</param>
    /// <param name="target">y.</param>
    /// <param name="seed">Seed.</param>
    /// <param name="learningRate">η, or null to use <paramref name="lrConstant"/>.</param>
    /// <param name="lrConstant">c with η = c/λ_H(0), used when <paramref name="learningRate"/> is null.</param>
    public static UvPhysicalStart Compute(int width, Parameterisation parameterisation, double initScale, double target, ulong seed, double? learningRate, double lrConstant)
    {
        ArgumentNullException.ThrowIfNull(parameterisation);
        var config = new UvModelConfig { Width = width, Parameterisation = parameterisation, BaseVariance = initScale, Target = target, Seed = seed };
        var network = UvNetwork.Create(config);
        double s = network.Normaliser;
        var state = new UvFunctionState(network.Output, network.Ntk);
        double sharpness = UvSharpness.Hessian(state, target, s, width);
        double eta = learningRate ?? (lrConstant / sharpness);
        var scaled = UvScaledState.FromPhysical(state, eta, s);
        return new UvPhysicalStart(width, parameterisation.ToString(), initScale, target, seed, s, eta, state.Output, state.Ntk, sharpness, UvScaledState.ScaledTarget(eta, target, s), scaled.X, scaled.G);
    }
}
