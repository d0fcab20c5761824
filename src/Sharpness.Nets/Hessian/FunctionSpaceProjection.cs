using Sharpness.Nets.Models;
using Sharpness.Nets.Parameters;
using Sharpness.Nets.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpness.Nets.Hessian;

/// <summary>
/// A network's outputs, targets and neural tangent kernel projected on one direction of function
/// space: the direction u = J v / ‖J v‖ in which a parameter direction v (typically the top Hessian
/// eigenvector) moves the outputs. These are the effective one-dimensional variables (f, y, λ) of the
/// UV model for a real network.
/// </summary>
/// <remarks>
/// <para>
/// Function space is scaled so that a squared-error loss is exactly the UV model's: with M examples,
/// k outputs and the per-example loss ℓ = (w/2)‖f − y‖² (w = 1 for mse-sum, 1/k for mse-mean), the
/// mean loss is L = ½‖F̃ − Ỹ‖² with F̃ = √(w/M) F, Ỹ = √(w/M) Y (the M·k outputs and targets
/// stacked), and J̃ = √(w/M) ∂F/∂θ. Then the Gauss–Newton matrix is J̃ᵀJ̃, the NTK is K = J̃J̃ᵀ, and
/// gradient descent moves F̃ by −η K (F̃ − Ỹ) to first order, exactly as the UV model moves f by
/// −ηλ(f − y).
/// </para>
/// <para>
/// Projected variables: f = ⟨F̃, u⟩, y = ⟨Ỹ, u⟩, the NTK along u λ = uᵀKu = ‖J̃ᵀu‖², and the
/// Gauss–Newton curvature along v, vᵀJ̃ᵀJ̃v = ‖J̃v‖² (≤ λ‖v‖² by Cauchy–Schwarz). The sign of u is
/// chosen so that y ≥ 0. For one example with one output (the UV model itself, w = 1) u = ±1 and
/// (f, y, λ) are exactly the model's output, target and NTK.
/// </para>
/// </remarks>
/// <param name="Output">f = ⟨F̃, u⟩.</param>
/// <param name="Target">y = ⟨Ỹ, u⟩ ≥ 0.</param>
/// <param name="Ntk">λ = uᵀKu, the NTK along u (same units as the Hessian sharpness).</param>
/// <param name="GaussNewton">‖J̃v‖² for the unit direction v: the Gauss–Newton part of vᵀHv.</param>
/// <param name="ResidualNorm">‖F̃ − Ỹ‖, so that (f − y)/‖F̃ − Ỹ‖ is the share of the residual along u.</param>
public sealed record FunctionSpaceProjection(double Output, double Target, double Ntk, double GaussNewton, double ResidualNorm)
{
    /// <summary>The projected residual f − y.</summary>
    public double Residual => Output - Target;

    /// <summary>A projection whose direction does not move the outputs (J v = 0): every value NaN.</summary>
    public static FunctionSpaceProjection Undefined { get; } = new(double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);

    /// <summary>
    /// Projects <paramref name="model"/>'s outputs on (<paramref name="inputs"/>, <paramref name="targets"/>)
    /// on the function-space direction of the parameter direction <paramref name="direction"/>.
    /// </summary>
    /// <param name="model">The network (copied in <paramref name="precision"/>; not modified).</param>
    /// <param name="loss">A squared-error loss (mse-sum or mse-mean); its per-output weight w sets the scaling.</param>
    /// <param name="inputs">Inputs [M, d].</param>
    /// <param name="targets">Targets [M, k].</param>
    /// <param name="direction">v in the <see cref="ParameterVector"/> layout (normalised here; need not be unit).</param>
    /// <param name="batchSize">Examples per batch (memory only), ≥ 1.</param>
    /// <param name="precision">Float64 (default) or Float32.</param>
    /// <returns>The projection; <see cref="Undefined"/> when J v = 0 or v = 0.</returns>
    /// <exception cref="ArgumentException">The loss is not a squared error, shapes do not fit, or <paramref name="direction"/> has the wrong length.</exception>
    public static FunctionSpaceProjection Compute(
        NetworkModule model,
        LossFunction loss,
        Tensor inputs,
        Tensor targets,
        ReadOnlySpan<double> direction,
        int batchSize = AutogradHessianOperator.DefaultBatchSize,
        ScalarType precision = ScalarType.Float64)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (loss.TargetType(ScalarType.Float64) != ScalarType.Float64)
        {
            throw new ArgumentException($"The function-space projection needs a squared-error loss, got {loss.Name}.", nameof(loss));
        }

        if (inputs.dim() != 2 || inputs.shape[0] < 1 || inputs.shape[1] != model.InputDimension || !inputs.is_floating_point())
        {
            throw new ArgumentException($"Inputs must be a floating-point batch [M, {model.InputDimension}] with M ≥ 1, got {inputs.dtype} [{string.Join(", ", inputs.shape)}].", nameof(inputs));
        }

        long examples = inputs.shape[0];
        loss.ValidateTargets(targets, examples, model.OutputDimension);
        int size = ParameterVector.Count(model);
        if (direction.Length != size)
        {
            throw new ArgumentException($"The direction has {direction.Length} components; the model has {size} parameters.", nameof(direction));
        }

        double directionNorm = 0;
        foreach (double d in direction)
        {
            directionNorm += d * d;
        }

        directionNorm = Math.Sqrt(directionNorm);
        if (!(directionNorm > 0) || !double.IsFinite(directionNorm))
        {
            return Undefined;
        }

        using var scope = NewDisposeScope();
        using var copy = model.Clone(precision);
        Tensor[] parameters = ParameterVector.Ordered(copy).Select(p => (Tensor)p.Parameter).ToArray();
        // The unit direction: scaled in float64, then converted, as the products' own inputs are.
        Tensor[] v = FlatVectors.Split(direction, parameters, ScalarType.Float64).Select(p => p.MulBy(1 / directionNorm).to(precision)).ToArray();
        Tensor x = inputs.detach().to(precision);
        Tensor y = targets.detach().to(precision);
        double scale = Math.Sqrt(OutputWeight(loss, model.OutputDimension, precision) / examples);

        // Pass 1: J v by the double-vjp identity J v = ∂/∂w ⟨Jᵀw, v⟩ (Jᵀw is linear in w), with the outputs.
        var jv = new List<Tensor>();
        var outputs = new List<Tensor>();
        for (long start = 0; start < examples; start += batchSize)
        {
            using var batchScope = NewDisposeScope();
            long count = Math.Min(batchSize, examples - start);
            Tensor output = copy.forward(x.narrow(0, start, count));
            Tensor w = zeros_like(output).requires_grad_(true);
            var vjp = autograd.grad([output], parameters, [w], retain_graph: true, create_graph: true);
            Tensor inner = vjp[0].mul(v[0]).sum();
            for (int i = 1; i < parameters.Length; i++)
            {
                inner = inner.add(vjp[i].mul(v[i]).sum());
            }

            Tensor product = autograd.grad([inner], [w])[0];
            jv.Add(product.detach().clone().MoveToOuterDisposeScope());
            outputs.Add(output.detach().clone().MoveToOuterDisposeScope());
        }

        Tensor jvAll = cat(jv, 0).mul(scale);
        double jvNorm = jvAll.norm().to(ScalarType.Float64).item<double>();
        if (!(jvNorm > 0) || !double.IsFinite(jvNorm))
        {
            return Undefined;
        }

        Tensor u = jvAll.div(jvNorm);
        Tensor fScaled = cat(outputs, 0).mul(scale);
        Tensor yScaled = y.mul(scale);
        double f = fScaled.mul(u).sum().to(ScalarType.Float64).item<double>();
        double target = yScaled.mul(u).sum().to(ScalarType.Float64).item<double>();
        double residualNorm = fScaled.sub(yScaled).norm().to(ScalarType.Float64).item<double>();
        if (target < 0)
        {
            (f, target) = (-f, -target);
        }

        // Pass 2: J̃ᵀu, accumulated over batches; λ = ‖J̃ᵀu‖² (independent of the sign of u).
        Tensor[] transposed = parameters.Select(p => zeros_like(p)).ToArray();
        for (long start = 0; start < examples; start += batchSize)
        {
            using var batchScope = NewDisposeScope();
            long count = Math.Min(batchSize, examples - start);
            Tensor output = copy.forward(x.narrow(0, start, count));
            var pieces = autograd.grad([output], parameters, [u.narrow(0, start, count).mul(scale)]);
            using var noGrad = no_grad();
            for (int i = 0; i < parameters.Length; i++)
            {
                transposed[i].add_(pieces[i]);
            }
        }

        double ntk = transposed.Sum(t => t.square().sum().to(ScalarType.Float64).item<double>());
        return new FunctionSpaceProjection(f, target, ntk, jvNorm * jvNorm, residualNorm);
    }

    /// <summary>w in ℓ = (w/2)‖f − y‖², read off the loss itself: ℓ(f = 1, y = 0) = w k / 2.</summary>
    private static double OutputWeight(LossFunction loss, int outputs, ScalarType precision)
    {
        using var scope = NewDisposeScope();
        double value = loss.SumOverExamples(ones(1, outputs, dtype: precision), zeros(1, outputs, dtype: precision)).to(ScalarType.Float64).item<double>();
        return 2 * value / outputs;
    }
}
