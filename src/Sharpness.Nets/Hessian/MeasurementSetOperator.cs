using Sharpness.Core.LinearAlgebra;
using Sharpness.Nets.Models;
using Sharpness.Nets.Parameters;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpness.Nets.Hessian;

/// <summary>
/// What the curvature operators of the training loss on a fixed measurement set share
/// (<see cref="AutogradHessianOperator"/>, <see cref="GaussNewtonOperator"/>): a copy of the model,
/// inputs and targets in <see cref="Precision"/>, validated before any LibTorch call; consecutive batches
/// of <see cref="BatchSize"/> examples; the product count; and disposal.
/// </summary>
/// <remarks>
/// The copies make the operator the curvature at the point of construction, even while the original model
/// keeps training (in float32, say). Vectors are flat parameter vectors in the <see cref="ParameterVector"/>
/// layout. Not thread-safe: one product at a time.
/// </remarks>
public abstract class MeasurementSetOperator : ILinearOperator, IDisposable
{
    private long _matVecCount;
    private bool _disposed;

    /// <summary>Validates and copies the model and the data.</summary>
    /// <param name="model">The network; copied (and converted to <paramref name="precision"/>), never modified.</param>
    /// <param name="loss">Per-example loss and its convention.</param>
    /// <param name="inputs">Inputs [N, d], N ≥ 1, d = <see cref="NetworkModule.InputDimension"/>, floating point (copied).</param>
    /// <param name="targets">Targets as <see cref="LossFunction.ValidateTargets"/> requires (copied).</param>
    /// <param name="batchSize">Examples per batch, ≥ 1.</param>
    /// <param name="precision">Float64 or Float32: the type of the model copy, the data and every product.</param>
    /// <param name="products">What the operator computes, for messages ("Hessian products").</param>
    /// <exception cref="ArgumentException">Shapes or types do not fit the model and loss, or the model has no parameters.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> &lt; 1 or an unsupported <paramref name="precision"/>.</exception>
    protected MeasurementSetOperator(NetworkModule model, LossFunction loss, Tensor inputs, Tensor targets, int batchSize, ScalarType precision, string products)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (precision is not (ScalarType.Float32 or ScalarType.Float64))
        {
            throw new ArgumentOutOfRangeException(nameof(precision), precision, $"{products} are computed in Float32 or Float64.");
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

        Loss = loss;
        Examples = examples;
        BatchSize = batchSize;
        Precision = precision;
        Model = model.Clone(precision);
        try
        {
            Parameters = ParameterVector.Ordered(Model).Select(p => (Tensor)p.Parameter).ToArray();
            Size = ParameterVector.Count(Model);
            if (Size == 0)
            {
                throw new ArgumentException("The model has no parameters.", nameof(model));
            }

            using var scope = NewDisposeScope();
            Inputs = inputs.detach().to(precision).clone().DetachFromDisposeScope();
            Targets = targets.detach().to(loss.TargetType(precision)).clone().DetachFromDisposeScope();
        }
        catch
        {
            Model.Dispose();
            throw;
        }
    }

    /// <summary>Number of parameters P; vectors have this length.</summary>
    public int Size { get; }

    /// <summary>Number of examples N in the measurement set.</summary>
    public long Examples { get; }

    /// <summary>Examples per batch.</summary>
    public int BatchSize { get; }

    /// <summary>Floating-point type of the model copy and of every product.</summary>
    public ScalarType Precision { get; }

    /// <summary>The loss convention; state it next to every eigenvalue reported from this operator.</summary>
    public LossFunction Loss { get; }

    /// <summary>Number of products computed so far (calls of <see cref="Apply"/>).</summary>
    public long MatVecCount => Interlocked.Read(ref _matVecCount);

    /// <summary>The model copy, in <see cref="Precision"/>.</summary>
    protected NetworkModule Model { get; }

    /// <summary>The copy's parameters in the <see cref="ParameterVector"/> order.</summary>
    protected Tensor[] Parameters { get; }

    /// <summary>The inputs [N, d], in <see cref="Precision"/>.</summary>
    protected Tensor Inputs { get; }

    /// <summary>The targets, in the loss's target type for <see cref="Precision"/>.</summary>
    protected Tensor Targets { get; }

    /// <summary>Computes <c>output = A input</c> for this operator's matrix A at the copied parameters.</summary>
    /// <param name="input">v, length <see cref="Size"/>, in the <see cref="ParameterVector"/> layout.</param>
    /// <param name="output">Receives A v, length <see cref="Size"/>.</param>
    /// <exception cref="ArgumentException">A span has the wrong length.</exception>
    /// <exception cref="ObjectDisposedException">The operator was disposed.</exception>
    public void Apply(ReadOnlySpan<double> input, Span<double> output)
    {
        RequireLengths(input.Length, output.Length);
        ThrowIfDisposed();
        Multiply(input, output);
        Interlocked.Increment(ref _matVecCount);
    }

    /// <summary>Releases the model copy and the data.</summary>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases what the operator holds; derived operators release their own state first, then call this.</summary>
    /// <param name="disposing">True when called from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
        if (_disposed || !disposing)
        {
            return;
        }

        _disposed = true;
        Inputs.Dispose();
        Targets.Dispose();
        Model.Dispose();
    }

    /// <summary>The product itself, called by <see cref="Apply"/> with checked lengths on a live operator.</summary>
    /// <param name="input">v, length <see cref="Size"/>.</param>
    /// <param name="output">Receives the product, length <see cref="Size"/>.</param>
    protected abstract void Multiply(ReadOnlySpan<double> input, Span<double> output);

    /// <summary>Consecutive slices (start, count) of <see cref="BatchSize"/> examples; the last may be shorter.</summary>
    protected IEnumerable<(long Start, long Count)> Batches()
    {
        for (long start = 0; start < Examples; start += BatchSize)
        {
            yield return (start, Math.Min(BatchSize, Examples - start));
        }
    }

    /// <summary>Throws when the operator was disposed.</summary>
    /// <exception cref="ObjectDisposedException">It was.</exception>
    protected void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    /// <summary>Throws unless both lengths equal <see cref="Size"/>.</summary>
    /// <param name="inputLength">Length of the input.</param>
    /// <param name="outputLength">Length of the output.</param>
    /// <exception cref="ArgumentException">They do not.</exception>
    protected void RequireLengths(int inputLength, int outputLength)
    {
        if (inputLength != Size || outputLength != Size)
        {
            throw new ArgumentException($"Expected vectors of length {Size} (the parameter count), got {inputLength} and {outputLength}.");
        }
    }
}
