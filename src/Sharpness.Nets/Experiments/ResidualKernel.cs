using Sharpness.Nets.Hessian;
using Sharpness.Nets.Models;
using static TorchSharp.torch;

namespace Sharpness.Nets.Experiments;

/// <summary>
/// The neural tangent kernel seen by the residual, κ = ‖∇L‖²/(2L), for a squared-error loss: the
/// UV model's kernel λ for real networks.
/// </summary>
/// <remarks>
/// <para>
/// With L = (1/(M c)) Σᵢ ½‖f(xᵢ) − yᵢ‖² (c = 1 for mse-sum, the class count for mse-mean) and the
/// Jacobian J of the stacked outputs, ∇L = Jᵀ r/(M c) with the residual r = f − y, so
/// </para>
/// <para>    κ = rᵀ (J Jᵀ/(M c)) r / ‖r‖²,</para>
/// <para>
/// the Rayleigh quotient of the kernel J Jᵀ/(M c) along the residual. That kernel has the nonzero
/// spectrum of the Gauss–Newton part Jᵀ J/(M c) of the loss Hessian, so κ is at most its top
/// eigenvalue, on the same scale as the sharpness λ_H. For the UV model (one example, one output)
/// ∇L = Δf ∇f and κ = |∇f|² = λ exactly. It costs one gradient on the measurement set.
/// </para>
/// </remarks>
public static class ResidualKernel
{
    /// <summary>κ = ‖∇L‖²/(2L) of <paramref name="model"/> on (<paramref name="inputs"/>, <paramref name="targets"/>); NaN when L = 0.</summary>
    /// <param name="model">The network (copied in <paramref name="precision"/>, never modified).</param>
    /// <param name="loss">A squared-error loss (mse-sum or mse-mean).</param>
    /// <param name="inputs">Inputs [M, d].</param>
    /// <param name="targets">Targets [M, k].</param>
    /// <param name="batchSize">Examples per batch (default 1000).</param>
    /// <param name="precision">Float64 (default) or Float32.</param>
    /// <exception cref="ArgumentException">The loss is not a squared error, or the data do not fit the model.</exception>
    public static double Measure(NetworkModule model, LossFunction loss, Tensor inputs, Tensor targets, int batchSize = AutogradHessianOperator.DefaultBatchSize, ScalarType precision = ScalarType.Float64)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(loss);
        if (!IsSquaredError(loss))
        {
            throw new ArgumentException($"The residual kernel needs a squared-error loss (mse-sum or mse-mean), got {loss.Name}.", nameof(loss));
        }

        using var scope = NewDisposeScope();
        using var op = new AutogradHessianOperator(model, loss, inputs, targets, batchSize, precision);
        var gradient = new double[op.Size];
        double value = op.LossAndGradient(gradient);
        double squared = 0;
        foreach (double g in gradient)
        {
            squared += g * g;
        }

        return value > 0 ? squared / (2 * value) : double.NaN;
    }

    /// <summary>Whether <paramref name="loss"/> is one of the two squared-error conventions.</summary>
    /// <param name="loss">A loss.</param>
    public static bool IsSquaredError(LossFunction loss) =>
        ReferenceEquals(loss, LossFunction.HalfSquaredError) || ReferenceEquals(loss, LossFunction.HalfMeanSquaredError);
}
