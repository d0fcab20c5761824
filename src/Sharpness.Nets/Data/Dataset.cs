using Sharpness.Nets.Hessian;
using Sharpness.Nets.Models;
using static TorchSharp.torch;

namespace Sharpness.Nets.Data;

/// <summary>
/// A fixed set of N examples as tensors: inputs [N, d] or [N, C, H, W] (float32 or float64),
/// targets [N, k] of the same type (one-hot rows for classification, values for regression) and,
/// for classification, integer labels [N] in [0, k). The dataset owns its tensors and releases
/// them on <see cref="Dispose"/>; they are detached from any dispose scope.
/// </summary>
/// <remarks>
/// Examples keep the order of their source, so <see cref="Take"/> and <see cref="MeasurementSet"/>
/// are deterministic subsets.
/// </remarks>
public sealed class Dataset : IDisposable
{
    /// <summary>The default size of the measurement set on which sharpness is measured (real-networks.md).</summary>
    public const int DefaultMeasurementCount = 5000;

    private bool _disposed;

    /// <summary>Creates a dataset from copies of the given tensors.</summary>
    /// <param name="name">Name for reports, e.g. "fashion-mnist/train".</param>
    /// <param name="inputs">[N, d] or [N, C, H, W], N ≥ 1, Float32 or Float64.</param>
    /// <param name="targets">[N, k], k ≥ 1, the type of <paramref name="inputs"/>.</param>
    /// <param name="labels">Null for regression, or Int64 [N] with values in [0, k) (then <paramref name="targets"/> should be their one-hot rows).</param>
    /// <param name="imageShape">The image shape of flat inputs (C·H·W must equal d), or null; taken from the inputs when they are [N, C, H, W].</param>
    /// <exception cref="ArgumentException">Shapes or types do not fit together, or a label is out of range.</exception>
    public Dataset(string name, Tensor inputs, Tensor targets, Tensor? labels = null, ImageShape? imageShape = null)
        : this(name, Validate(inputs, targets, labels, ref imageShape), targets, labels, imageShape, copy: true)
    {
    }

    private Dataset(string name, Tensor inputs, Tensor targets, Tensor? labels, ImageShape? imageShape, bool copy)
    {
        ArgumentNullException.ThrowIfNull(name);
        Name = name;
        ImageShape = imageShape;
        using var scope = NewDisposeScope();
        Inputs = (copy ? inputs.detach().clone() : inputs).DetachFromDisposeScope();
        Targets = (copy ? targets.detach().clone() : targets).DetachFromDisposeScope();
        Labels = labels is null ? null : (copy ? labels.detach().clone() : labels).DetachFromDisposeScope();
    }

    /// <summary>Name for reports.</summary>
    public string Name { get; }

    /// <summary>Inputs [N, d] (<see cref="InputLayout.Flat"/>) or [N, C, H, W] (<see cref="InputLayout.Images"/>).</summary>
    public Tensor Inputs { get; }

    /// <summary>Targets [N, k] of <see cref="DType"/>: one-hot rows for classification, for the squared-error losses.</summary>
    public Tensor Targets { get; }

    /// <summary>Class labels Int64 [N] in [0, k), for cross-entropy and accuracy; null for regression data.</summary>
    public Tensor? Labels { get; }

    /// <summary>The image shape of one example, or null for plain vectors.</summary>
    public ImageShape? ImageShape { get; }

    /// <summary>Number of examples N.</summary>
    public int Count => (int)Inputs.shape[0];

    /// <summary>Features per example d (C·H·W for images).</summary>
    public int FeatureCount => (int)(Inputs.numel() / Inputs.shape[0]);

    /// <summary>Target values per example k (the class count for classification).</summary>
    public int OutputCount => (int)Targets.shape[1];

    /// <summary>Whether the data has class labels.</summary>
    public bool IsClassification => Labels is not null;

    /// <summary>The shape of <see cref="Inputs"/>.</summary>
    public InputLayout Layout => Inputs.dim() == 4 ? InputLayout.Images : InputLayout.Flat;

    /// <summary>Float32 or Float64, the type of <see cref="Inputs"/> and <see cref="Targets"/>.</summary>
    public ScalarType DType => Inputs.dtype;

    /// <summary>
    /// The targets <paramref name="loss"/> expects: <see cref="Labels"/> for cross-entropy,
    /// <see cref="Targets"/> for the squared-error losses. The tensor belongs to the dataset.
    /// </summary>
    /// <param name="loss">The loss of the training or measurement.</param>
    /// <exception cref="InvalidOperationException">Cross-entropy on data without labels.</exception>
    public Tensor TargetsFor(LossFunction loss)
    {
        ArgumentNullException.ThrowIfNull(loss);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (loss.TargetType(DType) != ScalarType.Int64)
        {
            return Targets;
        }

        return Labels ?? throw new InvalidOperationException($"{Name} has no class labels, so it cannot be used with {loss.Name}.");
    }

    /// <summary>A new dataset of the first <paramref name="count"/> examples, in order (copies).</summary>
    /// <param name="count">1 ≤ count ≤ <see cref="Count"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is out of range.</exception>
    public Dataset Take(int count)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, Count);
        using var scope = NewDisposeScope();
        return new Dataset(
            Name,
            Inputs.narrow(0, 0, count).clone(),
            Targets.narrow(0, 0, count).clone(),
            Labels?.narrow(0, 0, count).clone(),
            ImageShape,
            copy: false);
    }

    /// <summary>
    /// The measurement set: the first min(<paramref name="maxCount"/>, N) examples (by default the
    /// first 5,000, or all when there are fewer).
    /// </summary>
    /// <param name="maxCount">Largest size, ≥ 1 (default <see cref="DefaultMeasurementCount"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxCount"/> &lt; 1.</exception>
    public Dataset MeasurementSet(int maxCount = DefaultMeasurementCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
        return Take(Math.Min(maxCount, Count));
    }

    /// <summary>A copy with the inputs in <paramref name="layout"/>.</summary>
    /// <param name="layout">Flat, or Images (needs <see cref="ImageShape"/>).</param>
    /// <exception cref="InvalidOperationException">Images requested for data without an image shape.</exception>
    public Dataset WithLayout(InputLayout layout)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (layout == InputLayout.Images && ImageShape is not Models.ImageShape shape)
        {
            throw new InvalidOperationException($"{Name} has no image shape, so its inputs cannot be shaped as images.");
        }

        using var scope = NewDisposeScope();
        long[] inputShape = layout == InputLayout.Flat
            ? [Count, FeatureCount]
            : [Count, ImageShape!.Value.Channels, ImageShape.Value.Height, ImageShape.Value.Width];
        return new Dataset(Name, Inputs.reshape(inputShape).clone(), Targets.clone(), Labels?.clone(), ImageShape, copy: false);
    }

    /// <summary>A copy with inputs and targets converted to <paramref name="dtype"/> (labels unchanged).</summary>
    /// <param name="dtype">Float32 or Float64.</param>
    /// <exception cref="ArgumentOutOfRangeException">Another type.</exception>
    public Dataset To(ScalarType dtype)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        RequireFloatingType(dtype, nameof(dtype));
        using var scope = NewDisposeScope();
        return new Dataset(Name, Inputs.to(dtype).clone(), Targets.to(dtype).clone(), Labels?.clone(), ImageShape, copy: false);
    }

    /// <summary>Releases the tensors.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Inputs.Dispose();
        Targets.Dispose();
        Labels?.Dispose();
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"{Name}: {Count} examples, inputs [{string.Join(", ", Inputs.shape)}] {DType}, {OutputCount} {(IsClassification ? "classes" : "targets")}";

    /// <summary>A dataset that takes ownership of freshly made tensors (no copies).</summary>
    internal static Dataset Own(string name, Tensor inputs, Tensor targets, Tensor? labels, ImageShape? imageShape)
    {
        Validate(inputs, targets, labels, ref imageShape);
        return new Dataset(name, inputs, targets, labels, imageShape, copy: false);
    }

    private static void RequireFloatingType(ScalarType dtype, string name)
    {
        if (dtype is not (ScalarType.Float32 or ScalarType.Float64))
        {
            throw new ArgumentOutOfRangeException(name, dtype, "Dataset inputs and targets are Float32 or Float64.");
        }
    }

    private static Tensor Validate(Tensor inputs, Tensor targets, Tensor? labels, ref ImageShape? imageShape)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        string Shape(Tensor t) => $"[{string.Join(", ", t.shape)}]";
        if (inputs.dim() is not (2 or 4) || inputs.shape[0] < 1 || inputs.numel() == 0)
        {
            throw new ArgumentException($"Inputs must be [N, d] or [N, C, H, W] with N ≥ 1 and no empty dimension, got {Shape(inputs)}.", nameof(inputs));
        }

        RequireFloatingType(inputs.dtype, nameof(inputs));
        long n = inputs.shape[0];
        if (inputs.dim() == 4)
        {
            var fromInputs = new ImageShape((int)inputs.shape[1], (int)inputs.shape[2], (int)inputs.shape[3]);
            if (imageShape is Models.ImageShape given && given != fromInputs)
            {
                throw new ArgumentException($"The image shape {given} differs from the inputs' {fromInputs}.", nameof(imageShape));
            }

            imageShape = fromInputs;
        }
        else if (imageShape is Models.ImageShape given && given.FeatureCount != inputs.shape[1])
        {
            throw new ArgumentException($"The image shape {given} has {given.FeatureCount} values but the inputs have {inputs.shape[1]} features.", nameof(imageShape));
        }

        if (targets.dim() != 2 || targets.shape[0] != n || targets.shape[1] < 1 || targets.dtype != inputs.dtype)
        {
            throw new ArgumentException($"Targets must be [{n}, k] with k ≥ 1 of type {inputs.dtype}, got {Shape(targets)} {targets.dtype}.", nameof(targets));
        }

        if (labels is not null)
        {
            if (labels.dim() != 1 || labels.shape[0] != n || labels.dtype != ScalarType.Int64)
            {
                throw new ArgumentException($"Labels must be Int64 [{n}], got {Shape(labels)} {labels.dtype}.", nameof(labels));
            }

            using var scope = NewDisposeScope();
            long min = labels.min().item<long>();
            long max = labels.max().item<long>();
            if (min < 0 || max >= targets.shape[1])
            {
                throw new ArgumentException($"Labels must lie in [0, {targets.shape[1]}), found [{min}, {max}].", nameof(labels));
            }
        }

        return inputs;
    }
}
