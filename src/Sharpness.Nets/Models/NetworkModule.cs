using Sharpness.Nets.Parameters;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpness.Nets.Models;

/// <summary>
/// A network f: R^d → R^k on TorchSharp that maps a batch of inputs [B, d] to outputs [B, k],
/// knows its floating-point type, and can copy itself into another type (float64 for
/// measurements while training runs in float32). Image models (<see cref="InputShape"/> of rank
/// 3, [C, H, W]) also take batches [B, C, H, W]; every model takes the flattened form [B, d]
/// with d = C·H·W in row-major (channel, row, column) order.
/// </summary>
/// <remarks>
/// Parameters are created from <see cref="Core.Random.DeterministicRandom"/>, never from LibTorch's
/// global generator, so the same seed gives bit-identical weights whatever else has drawn random
/// numbers. Parameter tensors are detached from any ambient dispose scope: a module owns them
/// until it is disposed.
/// </remarks>
public abstract class NetworkModule : nn.Module<Tensor, Tensor>
{
    /// <summary>Initialises the module's name and floating-point type.</summary>
    /// <param name="name">Module name reported by TorchSharp.</param>
    /// <param name="dtype">Float32 or Float64.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dtype"/> is not Float32 or Float64.</exception>
    protected NetworkModule(string name, ScalarType dtype)
        : base(name)
    {
        if (dtype is not (ScalarType.Float32 or ScalarType.Float64))
        {
            throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Networks are float32 or float64.");
        }

        DType = dtype;
    }

    /// <summary>The floating-point type of every parameter, and of the inputs <c>forward</c> accepts.</summary>
    public ScalarType DType { get; }

    /// <summary>Input features d per example.</summary>
    public abstract int InputDimension { get; }

    /// <summary>Outputs k per example.</summary>
    public abstract int OutputDimension { get; }

    /// <summary>
    /// The shape of one example: [d] for vector models (the default), [C, H, W] for image models.
    /// The product of the entries is <see cref="InputDimension"/>.
    /// </summary>
    public virtual IReadOnlyList<int> InputShape => [InputDimension];

    /// <summary>
    /// A deep copy with every parameter converted to <paramref name="dtype"/> (values rounded to
    /// float32 when converting down). The copy shares nothing with this module.
    /// </summary>
    /// <param name="dtype">Float32 or Float64.</param>
    public NetworkModule Clone(ScalarType dtype)
    {
        NetworkModule copy = CreateEmpty(dtype);
        try
        {
            ParameterVector.CopyValues(this, copy);
            return copy;
        }
        catch
        {
            copy.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A module of the same architecture in <paramref name="dtype"/> with all parameters zero
    /// (no random numbers drawn); <see cref="Clone"/> fills it.
    /// </summary>
    /// <param name="dtype">Float32 or Float64.</param>
    protected abstract NetworkModule CreateEmpty(ScalarType dtype);

    /// <summary>
    /// Throws unless <paramref name="input"/> is a batch of <see cref="DType"/> of shape [B, d]
    /// (B ≥ 1, d = <see cref="InputDimension"/>) or, for image models, [B, C, H, W] with
    /// [C, H, W] = <see cref="InputShape"/>: checked in managed code because a shape error inside a
    /// LibTorch kernel can take the process down.
    /// </summary>
    /// <param name="input">The batch passed to <c>forward</c>.</param>
    /// <exception cref="ArgumentException">Wrong rank, shape or type.</exception>
    protected void ValidateInput(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!IsFlatBatch(input) && !IsShapedBatch(input))
        {
            string expected = InputShape.Count == 1
                ? $"[B, {InputDimension}]"
                : $"[B, {InputDimension}] or [B, {string.Join(", ", InputShape)}]";
            throw new ArgumentException(
                $"{GetName()} expects a batch of shape {expected} with B ≥ 1, got [{string.Join(", ", input.shape)}].", nameof(input));
        }

        if (input.dtype != DType)
        {
            throw new ArgumentException($"{GetName()} is {DType} but the input is {input.dtype}; convert one of them first.", nameof(input));
        }
    }

    /// <summary>
    /// The validated batch in the shape [B, …<see cref="InputShape"/>] (a view: flattened batches
    /// are reshaped, others returned as they are).
    /// </summary>
    /// <param name="input">A batch accepted by <see cref="ValidateInput"/>.</param>
    /// <exception cref="ArgumentException">Wrong rank, shape or type.</exception>
    protected Tensor ToInputShape(Tensor input)
    {
        ValidateInput(input);
        if (InputShape.Count == 1 || input.dim() != 2)
        {
            return input;
        }

        return input.reshape([input.shape[0], .. InputShape.Select(n => (long)n)]);
    }

    private bool IsFlatBatch(Tensor input) => input.dim() == 2 && input.shape[0] >= 1 && input.shape[1] == InputDimension;

    private bool IsShapedBatch(Tensor input)
    {
        IReadOnlyList<int> shape = InputShape;
        if (input.dim() != shape.Count + 1 || input.shape[0] < 1)
        {
            return false;
        }

        for (int i = 0; i < shape.Count; i++)
        {
            if (input.shape[i + 1] != shape[i])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// A parameter of the given shape holding <paramref name="standardDeviation"/> times standard
    /// normals drawn row-major from stream <paramref name="stream"/> of <paramref name="seed"/>
    /// (<see cref="Core.Random.DeterministicRandom.ForStream"/>), or zeros when
    /// <paramref name="draw"/> is false or the deviation is zero (then nothing is drawn).
    /// </summary>
    /// <param name="shape">Parameter shape.</param>
    /// <param name="standardDeviation">Standard deviation ≥ 0.</param>
    /// <param name="seed">Seed of the model.</param>
    /// <param name="stream">Stream index, one per layer.</param>
    /// <param name="dtype">Float32 or Float64.</param>
    /// <param name="draw">False for an empty copy that <see cref="Clone"/> fills.</param>
    private protected static TorchSharp.Modules.Parameter CreateGaussianParameter(
        long[] shape, double standardDeviation, ulong seed, ulong stream, ScalarType dtype, bool draw)
    {
        var values = new double[checked((int)shape.Aggregate(1L, (a, b) => a * b))];
        if (draw && standardDeviation > 0)
        {
            Core.Random.DeterministicRandom.ForStream(seed, stream).FillGaussian(values, standardDeviation);
        }

        return CreateParameter(values, shape, dtype);
    }

    /// <summary>
    /// Offset of the random streams of the biases: under <see cref="Initialisation.Torch"/> the bias of
    /// layer ℓ is drawn from stream 2^32 + ℓ of the seed (its weight from stream ℓ), so drawing biases
    /// leaves every weight unchanged.
    /// </summary>
    public const ulong BiasStreamOffset = 1UL << 32;

    /// <summary>
    /// A parameter of the given shape holding independent values uniform in
    /// [−<paramref name="bound"/>, <paramref name="bound"/>), b·(2u − 1) with u the generator's
    /// 53-bit uniform, drawn row-major from stream <paramref name="stream"/> of <paramref name="seed"/>,
    /// or zeros when <paramref name="draw"/> is false or the bound is zero (then nothing is drawn).
    /// </summary>
    /// <param name="shape">Parameter shape.</param>
    /// <param name="bound">Half-width b ≥ 0.</param>
    /// <param name="seed">Seed of the model.</param>
    /// <param name="stream">Stream index.</param>
    /// <param name="dtype">Float32 or Float64.</param>
    /// <param name="draw">False for an empty copy that <see cref="Clone"/> fills.</param>
    private protected static TorchSharp.Modules.Parameter CreateUniformParameter(
        long[] shape, double bound, ulong seed, ulong stream, ScalarType dtype, bool draw)
    {
        var values = new double[checked((int)shape.Aggregate(1L, (a, b) => a * b))];
        if (draw && bound > 0)
        {
            var random = Core.Random.DeterministicRandom.ForStream(seed, stream);
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = bound * (2.0 * random.NextDouble() - 1.0);
            }
        }

        return CreateParameter(values, shape, dtype);
    }

    /// <summary>
    /// The weight and optional bias of a layer with fan-in <paramref name="fanIn"/> under
    /// <paramref name="initialisation"/>: <see cref="Initialisation.Normal"/> gives
    /// <paramref name="normalDeviation"/> times standard normals from stream <paramref name="stream"/>
    /// and a zero bias; <see cref="Initialisation.Torch"/> gives weights (stream <paramref name="stream"/>)
    /// and bias (stream <see cref="BiasStreamOffset"/> + <paramref name="stream"/>) uniform in
    /// ±1/√fan_in. <paramref name="zero"/> makes both zero (nothing drawn).
    /// </summary>
    private protected static (TorchSharp.Modules.Parameter Weight, TorchSharp.Modules.Parameter? Bias) CreateLayerParameters(
        long[] weightShape, int fanIn, bool bias, Initialisation initialisation, double normalDeviation,
        ulong seed, ulong stream, ScalarType dtype, bool draw, bool zero = false)
    {
        long[] biasShape = [weightShape[0]];
        if (initialisation == Initialisation.Torch && !zero)
        {
            double bound = 1.0 / Math.Sqrt(fanIn);
            return (CreateUniformParameter(weightShape, bound, seed, stream, dtype, draw),
                bias ? CreateUniformParameter(biasShape, bound, seed, BiasStreamOffset + stream, dtype, draw) : null);
        }

        return (CreateGaussianParameter(weightShape, zero ? 0 : normalDeviation, seed, stream, dtype, draw),
            bias ? CreateParameter(new double[weightShape[0]], biasShape, dtype) : null);
    }

    /// <summary>
    /// A parameter holding a copy of <paramref name="values"/> (row-major) with the given shape, detached
    /// from any dispose scope so that the module owns it.
    /// </summary>
    /// <param name="values">Values, length = product of <paramref name="shape"/>.</param>
    /// <param name="shape">Parameter shape.</param>
    /// <param name="dtype">Float32 or Float64.</param>
    protected static TorchSharp.Modules.Parameter CreateParameter(double[] values, long[] shape, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        Tensor data = tensor(values, shape, dtype);
        var parameter = new TorchSharp.Modules.Parameter(data, requires_grad: true);
        parameter.DetachFromDisposeScope();
        return parameter;
    }
}
