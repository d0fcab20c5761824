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
/// When the whole measurement set is one batch (N ≤ <see cref="MeasurementSetOperator.BatchSize"/>), or when the
/// operator is asked to keep its graphs (<see cref="RetainsGraphs"/>), each batch's gradient is built with its graph
/// once, at the first product, and kept until the operator is disposed: every product is then one backward pass
/// through each kept graph (as PyHessian does), about 40% cheaper than rebuilding them, at the cost of holding the
/// graphs of all N examples between products (<see cref="EstimatedRetainedGraphBytes"/>). Otherwise each product
/// rebuilds every batch's graph, so memory stays at one batch's graph. Both ways compute the same operations on
/// the same values in the same order: the products are bit-identical.
/// </para>
/// <para>
/// Every product runs inside its own dispose scope, and each batch inside a nested one, so native
/// memory is released when <see cref="MeasurementSetOperator.Apply"/> returns (apart from the kept single-batch graph).
/// Shapes are checked in managed code before any LibTorch call. Not thread-safe: one product at a time.
/// </para>
/// </remarks>
public sealed class AutogradHessianOperator : MeasurementSetOperator
{
    private Tensor[][]? _retainedGradients;

    /// <summary>Default number of examples per batch.</summary>
    public const int DefaultBatchSize = 1000;

    /// <summary>
    /// Memory up to which <see cref="Training.SharpnessTracker"/> keeps every batch's gradient graph between the products of a
    /// measurement (<see cref="EstimatedRetainedGraphBytes"/>): 512 MiB.
    /// </summary>
    public const double RetainedGraphBudgetBytes = 512.0 * 1024 * 1024;

    /// <summary>The Hessian of the mean loss of <paramref name="model"/> on (<paramref name="inputs"/>, <paramref name="targets"/>).</summary>
    /// <param name="model">The network; copied (and converted to <paramref name="precision"/>), never modified.</param>
    /// <param name="loss">Per-example loss and its convention.</param>
    /// <param name="inputs">Inputs [N, d], N ≥ 1, d = <see cref="NetworkModule.InputDimension"/>, floating point (copied).</param>
    /// <param name="targets">Targets as <see cref="LossFunction.ValidateTargets"/> requires (copied).</param>
    /// <param name="batchSize">Examples per batch, ≥ 1 (default <see cref="DefaultBatchSize"/>).</param>
    /// <param name="precision">Float64 (default) or Float32: the type of the model copy, the data and every product.</param>
    /// <param name="retainGraphs">Keep every batch's gradient graph between products (faster; memory of the graphs of all N examples). A single batch is always kept.</param>
    /// <exception cref="ArgumentException">Shapes or types do not fit the model and loss.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> &lt; 1 or an unsupported <paramref name="precision"/>.</exception>
    public AutogradHessianOperator(
        NetworkModule model,
        LossFunction loss,
        Tensor inputs,
        Tensor targets,
        int batchSize = DefaultBatchSize,
        ScalarType precision = ScalarType.Float64,
        bool retainGraphs = false)
        : base(model, loss, inputs, targets, batchSize, precision, "Hessian products")
    {
        RetainsGraphs = retainGraphs || Examples <= BatchSize;
    }

    /// <summary>Whether every batch's gradient graph is built once and kept between products (always for a single batch).</summary>
    public bool RetainsGraphs { get; }

    /// <summary>
    /// Estimated memory of the gradient graphs of <paramref name="examples"/> examples kept between products, in
    /// bytes, or null when the architecture has no estimate (only fully connected networks have one): four saved
    /// tensors per hidden or output activation and example (measured in PyTorch: 3.9–4.1), counted as six for
    /// margin, plus one parameter-sized gradient per batch.
    /// </summary>
    /// <param name="model">The network.</param>
    /// <param name="examples">Examples of the measurement set.</param>
    /// <param name="batchSize">Examples per batch.</param>
    /// <param name="precision">Type of the products.</param>
    public static double? EstimatedRetainedGraphBytes(NetworkModule model, long examples, int batchSize, ScalarType precision)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model is not FullyConnectedNetwork network)
        {
            return null;
        }

        FullyConnectedConfig config = network.Config;
        return EstimatedFullyConnectedGraphBytes(config.Depth, config.Width, config.OutputDimension, ParameterVector.Count(model), examples, batchSize, precision);
    }

    /// <summary>
    /// <see cref="EstimatedRetainedGraphBytes(NetworkModule, long, int, ScalarType)"/> of a fully connected network given by its
    /// sizes, before it is built (a job's memory plan).
    /// </summary>
    /// <param name="depth">Layers (hidden layers + 1).</param>
    /// <param name="width">Hidden units per layer.</param>
    /// <param name="outputs">Outputs.</param>
    /// <param name="parameters">Parameters.</param>
    /// <param name="examples">Examples of the measurement set.</param>
    /// <param name="batchSize">Examples per batch.</param>
    /// <param name="precision">Type of the products.</param>
    public static double EstimatedFullyConnectedGraphBytes(int depth, int width, int outputs, double parameters, long examples, int batchSize, ScalarType precision)
    {
        double elementBytes = precision == ScalarType.Float64 ? 8 : 4;
        double activations = ((double)Math.Max(depth - 1, 0) * width) + outputs;
        double batches = Math.Ceiling((double)examples / Math.Max(batchSize, 1));
        return (6.0 * examples * activations * elementBytes) + (batches * parameters * elementBytes);
    }

    /// <summary><c>output = H input</c> with H the Hessian of the mean loss at the copied parameters.</summary>
    /// <param name="input">v, length <see cref="MeasurementSetOperator.Size"/>, in the <see cref="ParameterVector"/> layout.</param>
    /// <param name="output">Receives H v.</param>
    protected override void Multiply(ReadOnlySpan<double> input, Span<double> output)
    {
        using var scope = NewDisposeScope();
        Tensor[] direction = FlatVectors.Split(input, Parameters, Precision);
        if (RetainsGraphs && _retainedGradients is null)
        {
            _retainedGradients = Batches().Select(batch =>
            {
                using var graphScope = NewDisposeScope();
                Tensor loss = BatchLoss(batch.Start, batch.Count);
                return autograd.grad([loss], Parameters, retain_graph: true, create_graph: true)
                    .Select(g => g.DetachFromDisposeScope()).ToArray();
            }).ToArray();
        }

        Tensor[]? product = null;
        int index = 0;
        foreach (var (start, count) in Batches())
        {
            using var batchScope = NewDisposeScope();
            IList<Tensor> hessianDirection;
            if (_retainedGradients is not null)
            {
                hessianDirection = autograd.grad(_retainedGradients[index++], Parameters, direction, retain_graph: true);
            }
            else
            {
                Tensor batchLoss = BatchLoss(start, count);
                var gradient = autograd.grad([batchLoss], Parameters, retain_graph: true, create_graph: true);

                // H v = ∇(g · v): the vector-Jacobian product of the gradient with v as its output
                // gradient, which is what differentiating the dot product would compute, without
                // building the dot product's own graph.
                hessianDirection = autograd.grad(gradient, Parameters, direction);
            }

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

    /// <summary>Releases the kept gradient graphs, then the model copy and the data.</summary>
    /// <param name="disposing">True when called from <see cref="MeasurementSetOperator.Dispose()"/>.</param>
    protected override void Dispose(bool disposing)
    {
        if (disposing && _retainedGradients is not null)
        {
            foreach (Tensor g in _retainedGradients.SelectMany(g => g))
            {
                g.Dispose();
            }

            _retainedGradients = null;
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
