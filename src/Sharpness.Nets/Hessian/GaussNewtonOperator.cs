using Sharpness.Core.LinearAlgebra;
using Sharpness.Nets.Models;
using Sharpness.Nets.Parameters;
using Sharpness.Nets.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpness.Nets.Hessian;

/// <summary>
/// The Gauss–Newton matrix of the training loss, G = (1/N) Σ_i J_iᵀ (∂²ℓ_i/∂f²) J_i, with J_i the
/// Jacobian [k, P] of example i's outputs with respect to the parameters, as a matrix-free operator on
/// the flat parameter vector (<see cref="ParameterVector"/> layout). It is the Hessian of the loss with
/// the network linearised at the current parameters, so gradient descent on that linear model is stable
/// exactly when η times its top eigenvalue is below 2.
/// </summary>
/// <remarks>
/// <para>
/// Normalisation: the same mean over examples as the loss and <see cref="AutogradHessianOperator"/>. For
/// <see cref="LossFunction.HalfSquaredError"/> G = JᵀJ/N, for <see cref="LossFunction.HalfMeanSquaredError"/>
/// G = JᵀJ/(N k), with J the stacked [N k, P] Jacobian; its nonzero spectrum is that of the empirical
/// neural tangent kernel Θ = J Jᵀ scaled the same way. The top eigenvalue is therefore "the NTK λ" on
/// the loss's scale: for the UV module on one example it is λ = (|u|² + |v|²)/s² of uv-model.md. For
/// cross-entropy ∂²ℓ/∂f² is the softmax covariance diag(p) − p pᵀ.
/// </para>
/// <para>
/// Products: per batch, J v is obtained by the double vector-Jacobian-product trick (the gradient of
/// uᵀf with respect to the parameters is Jᵀu, linear in a dummy u; the gradient of (Jᵀu)·v with
/// respect to u is J v); the loss's output Hessian is applied to J v by autograd on the outputs alone;
/// and Jᵀ of the result is one more vector-Jacobian product. Batches contribute in proportion to their
/// sizes, so the batch size changes only memory use and rounding. The model, inputs and targets are
/// copied at construction in <see cref="MeasurementSetOperator.Precision"/>. Every product runs in its own dispose scope;
/// shapes are checked in managed code before any LibTorch call. Not thread-safe.
/// </para>
/// </remarks>
public sealed class GaussNewtonOperator : MeasurementSetOperator
{
    /// <summary>The Gauss–Newton matrix of the mean loss of <paramref name="model"/> on (<paramref name="inputs"/>, <paramref name="targets"/>).</summary>
    /// <param name="model">The network; copied (and converted to <paramref name="precision"/>), never modified.</param>
    /// <param name="loss">Per-example loss and its convention.</param>
    /// <param name="inputs">Inputs [N, d], N ≥ 1, d = <see cref="NetworkModule.InputDimension"/>, floating point (copied).</param>
    /// <param name="targets">Targets as <see cref="LossFunction.ValidateTargets"/> requires (copied).</param>
    /// <param name="batchSize">Examples per batch, ≥ 1 (default <see cref="AutogradHessianOperator.DefaultBatchSize"/>).</param>
    /// <param name="precision">Float64 (default) or Float32: the type of the model copy, the data and every product.</param>
    /// <exception cref="ArgumentException">Shapes or types do not fit the model and loss, or the model has no parameters.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> &lt; 1 or an unsupported <paramref name="precision"/>.</exception>
    public GaussNewtonOperator(
        NetworkModule model,
        LossFunction loss,
        Tensor inputs,
        Tensor targets,
        int batchSize = AutogradHessianOperator.DefaultBatchSize,
        ScalarType precision = ScalarType.Float64)
        : base(model, loss, inputs, targets, batchSize, precision, "Gauss–Newton products")
    {
    }

    /// <summary><c>output = G input</c> at the copied parameters.</summary>
    /// <param name="input">v, length <see cref="MeasurementSetOperator.Size"/>, in the <see cref="ParameterVector"/> layout.</param>
    /// <param name="output">Receives G v.</param>
    protected override void Multiply(ReadOnlySpan<double> input, Span<double> output)
    {
        using var scope = NewDisposeScope();
        Tensor[] direction = FlatVectors.Split(input, Parameters, Precision);
        Tensor[] product = Parameters.Select(p => zeros_like(p)).ToArray();
        foreach (var (start, count) in Batches())
        {
            using var batchScope = NewDisposeScope();
            Tensor outputs = Model.forward(Inputs.narrow(0, start, count));
            Tensor targets = Targets.narrow(0, start, count);

            // J v by the double vector-Jacobian product: Jᵀu is linear in u, and d[(Jᵀu)·v]/du = J v.
            Tensor dummy = zeros_like(outputs).requires_grad_(true);
            var transposed = autograd.grad([outputs], Parameters, [dummy], retain_graph: true, create_graph: true);
            Tensor jv = autograd.grad([Dot(transposed, direction)], [dummy], retain_graph: true)[0].detach();

            // (∂²ℓ/∂f²) J v, from autograd on the outputs alone (any loss convention), divided by N.
            Tensor leaf = outputs.detach().requires_grad_(true);
            Tensor lossGradient = autograd.grad([Loss.SumOverExamples(leaf, targets)], [leaf], retain_graph: true, create_graph: true)[0];
            Tensor weighted = autograd.grad([lossGradient.mul(jv).sum()], [leaf])[0].detach().DivBy(Examples);

            var share = autograd.grad([outputs], Parameters, [weighted]);
            using var noGrad = no_grad();
            for (int i = 0; i < product.Length; i++)
            {
                product[i].AddInPlace(share[i]);
            }
        }

        FlatVectors.CopyTo(product, output);
    }

    private static Tensor Dot(IList<Tensor> a, Tensor[] b)
    {
        Tensor sum = a[0].mul(b[0]).sum();
        for (int i = 1; i < b.Length; i++)
        {
            sum = sum.Plus(a[i].mul(b[i]).sum());
        }

        return sum;
    }
}
