using Sharpness.Core.LinearAlgebra;
using Sharpness.Nets.Models;
using Sharpness.Nets.Parameters;
using Sharpness.Nets.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpness.Nets.Hessian;

/// <summary>
/// The exact Hessian of the training loss L(θ) = (1/N) Σ_i ℓ(f(x_i; θ), y_i) on a fixed measurement
/// set, as a matrix-free operator on the flat parameter vector θ (<see cref="ParameterVector"/>
/// layout). Each product H v is computed by double backward through autograd: the gradient g of
/// each batch's share of L is built with a graph, and the gradient of g·v is H v.
/// </summary>
/// <remarks>
/// <para>
/// The model is copied at construction, converted to <see cref="MeasurementSetOperator.Precision"/> (Float64 by default),
/// so the operator is the Hessian at that point even while the original keeps training in float32.
/// The inputs and targets are copied too.
/// </para>
/// <para>
/// Batches are consecutive slices of <see cref="MeasurementSetOperator.BatchSize"/> examples (the last may be shorter).
/// Every batch contributes Σ_{i∈batch} ℓ_i / N, so batches are weighted by their sample counts and
/// the result is the Hessian of the mean over all N examples, exactly as the full-batch training
/// loss; the batch size changes only memory use and rounding.
/// </para>
/// <para>
/// When the whole measurement set is one batch (N ≤ <see cref="MeasurementSetOperator.BatchSize"/>), the gradient is
/// built with its graph once, at the first product, and kept until the operator is disposed: every product is then
/// one backward pass through that graph (as PyHessian does for a single batch), about a third cheaper than
/// rebuilding it, at the cost of holding the graph's memory between products. With several batches each product
/// rebuilds every batch's graph, so memory stays at one batch's graph.
/// </para>
/// <para>
/// Every product runs inside its own dispose scope, and each batch inside a nested one, so native
/// memory is released when <see cref="MeasurementSetOperator.Apply"/> returns (apart from the kept single-batch graph).
/// Shapes are checked in managed code before any LibTorch call. Not thread-safe: one product at a time.
/// </para>
/// </remarks>
public sealed class AutogradHessianOperator : MeasurementSetOperator
{
    private Tensor[]? _retainedGradient;

    /// <summary>Default number of examples per batch.</summary>
    public const int DefaultBatchSize = 1000;

    /// <summary>The Hessian of the mean loss of <paramref name="model"/> on (<paramref name="inputs"/>, <paramref name="targets"/>).</summary>
    /// <param name="model">The network; copied (and converted to <paramref name="precision"/>), never modified.</param>
    /// <param name="loss">Per-example loss and its convention.</param>
    /// <param name="inputs">Inputs [N, d], N ≥ 1, d = <see cref="NetworkModule.InputDimension"/>, floating point (copied).</param>
    /// <param name="targets">Targets as <see cref="LossFunction.ValidateTargets"/> requires (copied).</param>
    /// <param name="batchSize">Examples per batch, ≥ 1 (default <see cref="DefaultBatchSize"/>).</param>
    /// <param name="precision">Float64 (default) or Float32: the type of the model copy, the data and every product.</param>
    /// <exception cref="ArgumentException">Shapes or types do not fit the model and loss.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> &lt; 1 or an unsupported <paramref name="precision"/>.</exception>
    public AutogradHessianOperator(
        NetworkModule model,
        LossFunction loss,
        Tensor inputs,
        Tensor targets,
        int batchSize = DefaultBatchSize,
        ScalarType precision = ScalarType.Float64)
        : base(model, loss, inputs, targets, batchSize, precision, "Hessian products")
    {
    }

    /// <summary><c>output = H input</c> with H the Hessian of the mean loss at the copied parameters.</summary>
    /// <param name="input">v, length <see cref="MeasurementSetOperator.Size"/>, in the <see cref="ParameterVector"/> layout.</param>
    /// <param name="output">Receives H v.</param>
    protected override void Multiply(ReadOnlySpan<double> input, Span<double> output)
    {
        using var scope = NewDisposeScope();
        Tensor[] direction = FlatVectors.Split(input, Parameters, Precision);
        if (Examples <= BatchSize)
        {
            if (_retainedGradient is null)
            {
                using var graphScope = NewDisposeScope();
                Tensor loss = BatchLoss(0, Examples);
                _retainedGradient = autograd.grad([loss], Parameters, retain_graph: true, create_graph: true)
                    .Select(g => g.DetachFromDisposeScope()).ToArray();
            }

            FlatVectors.CopyTo(autograd.grad(_retainedGradient, Parameters, direction, retain_graph: true).ToArray(), output);
            return;
        }

        Tensor[]? product = null;
        foreach (var (start, count) in Batches())
        {
            using var batchScope = NewDisposeScope();
            Tensor batchLoss = BatchLoss(start, count);
            var gradient = autograd.grad([batchLoss], Parameters, retain_graph: true, create_graph: true);

            // H v = ∇(g · v): the vector-Jacobian product of the gradient with v as its output
            // gradient, which is what differentiating the dot product would compute, without
            // building the dot product's own graph.
            var hessianDirection = autograd.grad(gradient, Parameters, direction);
            using var noGrad = no_grad();
            if (product is null)
            {
                product = hessianDirection.Select(t => t.MoveToOuterDisposeScope()).ToArray();
                continue;
            }

            for (int i = 0; i < product.Length; i++)
            {
                product[i].AddInPlace(hessianDirection[i]);
            }
        }

        FlatVectors.CopyTo(product!, output);
    }

    /// <summary>Releases the kept single-batch gradient graph, then the model copy and the data.</summary>
    /// <param name="disposing">True when called from <see cref="MeasurementSetOperator.Dispose()"/>.</param>
    protected override void Dispose(bool disposing)
    {
        if (disposing && _retainedGradient is not null)
        {
            foreach (Tensor g in _retainedGradient)
            {
                g.Dispose();
            }

            _retainedGradient = null;
        }

        base.Dispose(disposing);
    }

    /// <summary>The mean loss L = (1/N) Σ_i ℓ_i at the copied parameters.</summary>
    /// <exception cref="ObjectDisposedException">The operator was disposed.</exception>
    public double LossValue()
    {
        ThrowIfDisposed();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        double total = 0;
        foreach (var (start, count) in Batches())
        {
            using var batchScope = NewDisposeScope();
            total += BatchLoss(start, count).to(ScalarType.Float64).item<double>();
        }

        return total;
    }

    /// <summary>The gradient ∇L of the mean loss at the copied parameters, and L itself.</summary>
    /// <param name="gradient">Receives ∇L, length <see cref="Size"/>, in the <see cref="ParameterVector"/> layout.</param>
    /// <returns>The mean loss L.</returns>
    /// <exception cref="ArgumentException">Wrong length.</exception>
    /// <exception cref="ObjectDisposedException">The operator was disposed.</exception>
    public double LossAndGradient(Span<double> gradient)
    {
        RequireLengths(gradient.Length, gradient.Length);
        ThrowIfDisposed();
        using var scope = NewDisposeScope();
        Tensor[] sum = Parameters.Select(p => zeros_like(p)).ToArray();
        double total = 0;
        foreach (var (start, count) in Batches())
        {
            using var batchScope = NewDisposeScope();
            Tensor batchLoss = BatchLoss(start, count);
            var batchGradient = autograd.grad([batchLoss], Parameters);
            using var noGrad = no_grad();
            total += batchLoss.detach().to(ScalarType.Float64).item<double>();
            for (int i = 0; i < sum.Length; i++)
            {
                sum[i].AddInPlace(batchGradient[i]);
            }
        }

        FlatVectors.CopyTo(sum, gradient);
        return total;
    }

    /// <summary>This batch's share of the mean loss, Σ_{i∈batch} ℓ_i / N, as a scalar tensor.</summary>
    private Tensor BatchLoss(long start, long count)
    {
        Tensor outputs = Model.forward(Inputs.narrow(0, start, count));
        return Loss.SumOverExamples(outputs, Targets.narrow(0, start, count)).DivBy(Examples);
    }
}
