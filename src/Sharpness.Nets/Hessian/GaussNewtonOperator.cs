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
/// copied at construction in <see cref="Precision"/>. Every product runs in its own dispose scope;
/// shapes are checked in managed code before any LibTorch call. Not thread-safe.
/// </para>
/// </remarks>
public sealed class GaussNewtonOperator : ILinearOperator, IDisposable
{
    private readonly NetworkModule _model;
    private readonly Tensor[] _parameters;
    private readonly Tensor _inputs;
    private readonly Tensor _targets;
    private readonly LossFunction _loss;
    private long _matVecCount;
    private bool _disposed;

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
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (precision is not (ScalarType.Float32 or ScalarType.Float64))
        {
            throw new ArgumentOutOfRangeException(nameof(precision), precision, "Gauss–Newton products are computed in Float32 or Float64.");
        }

        if (inputs.dim() != 2 || inputs.shape[0] < 1 || inputs.shape[1] != model.InputDimension)
        {
            throw new ArgumentException($"Inputs must have shape [N, {model.InputDimension}] with N ≥ 1, got [{string.Join(", ", inputs.shape)}].", nameof(inputs));
        }

        if (!inputs.is_floating_point())
        {
            throw new ArgumentException($"Inputs must be floating point, got {inputs.dtype}.", nameof(inputs));
        }

        long examples = inputs.shape[0];
        loss.ValidateTargets(targets, examples, model.OutputDimension);

        _loss = loss;
        Examples = examples;
        BatchSize = batchSize;
        Precision = precision;
        _model = model.Clone(precision);
        try
        {
            _parameters = ParameterVector.Ordered(_model).Select(p => (Tensor)p.Parameter).ToArray();
            Size = ParameterVector.Count(_model);
            if (Size == 0)
            {
                throw new ArgumentException("The model has no parameters.", nameof(model));
            }

            using var scope = NewDisposeScope();
            _inputs = inputs.detach().to(precision).clone().DetachFromDisposeScope();
            _targets = targets.detach().to(loss.TargetType(precision)).clone().DetachFromDisposeScope();
        }
        catch
        {
            _model.Dispose();
            throw;
        }
    }

    /// <summary>Number of parameters P; vectors have this length.</summary>
    public int Size { get; }

    /// <summary>Number of examples N.</summary>
    public long Examples { get; }

    /// <summary>Examples per batch.</summary>
    public int BatchSize { get; }

    /// <summary>Floating-point type of the model copy and of every product.</summary>
    public ScalarType Precision { get; }

    /// <summary>The loss convention; state it next to every eigenvalue reported from this operator.</summary>
    public LossFunction Loss => _loss;

    /// <summary>Number of products computed so far (calls of <see cref="Apply"/>).</summary>
    public long MatVecCount => Interlocked.Read(ref _matVecCount);

    /// <summary>Computes <c>output = G input</c> at the copied parameters.</summary>
    /// <param name="input">v, length <see cref="Size"/>, in the <see cref="ParameterVector"/> layout.</param>
    /// <param name="output">Receives G v, length <see cref="Size"/>.</param>
    /// <exception cref="ArgumentException">A span has the wrong length.</exception>
    /// <exception cref="ObjectDisposedException">The operator was disposed.</exception>
    public void Apply(ReadOnlySpan<double> input, Span<double> output)
    {
        if (input.Length != Size || output.Length != Size)
        {
            throw new ArgumentException($"Expected vectors of length {Size} (the parameter count), got {input.Length} and {output.Length}.");
        }

        ObjectDisposedException.ThrowIf(_disposed, this);
        using var scope = NewDisposeScope();
        Tensor[] direction = FlatVectors.Split(input, _parameters, Precision);
        Tensor[] product = _parameters.Select(p => zeros_like(p)).ToArray();
        for (long start = 0; start < Examples; start += BatchSize)
        {
            using var batchScope = NewDisposeScope();
            long count = Math.Min(BatchSize, Examples - start);
            Tensor outputs = _model.forward(_inputs.narrow(0, start, count));
            Tensor targets = _targets.narrow(0, start, count);

            // J v by the double vector-Jacobian product: Jᵀu is linear in u, and d[(Jᵀu)·v]/du = J v.
            Tensor dummy = zeros_like(outputs).requires_grad_(true);
            var transposed = autograd.grad([outputs], _parameters, [dummy], retain_graph: true, create_graph: true);
            Tensor jv = autograd.grad([Dot(transposed, direction)], [dummy], retain_graph: true)[0].detach();

            // (∂²ℓ/∂f²) J v, from autograd on the outputs alone (any loss convention), divided by N.
            Tensor leaf = outputs.detach().requires_grad_(true);
            Tensor lossGradient = autograd.grad([_loss.SumOverExamples(leaf, targets)], [leaf], retain_graph: true, create_graph: true)[0];
            Tensor weighted = autograd.grad([lossGradient.mul(jv).sum()], [leaf])[0].detach().DivBy(Examples);

            var share = autograd.grad([outputs], _parameters, [weighted]);
            using var noGrad = no_grad();
            for (int i = 0; i < product.Length; i++)
            {
                product[i].AddInPlace(share[i]);
            }
        }

        FlatVectors.CopyTo(product, output);

        Interlocked.Increment(ref _matVecCount);
    }

    /// <summary>Releases the model copy and the data.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _inputs.Dispose();
        _targets.Dispose();
        _model.Dispose();
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
