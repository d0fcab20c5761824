using Sharpness.Nets.Tensors;
using static TorchSharp.torch;

namespace Sharpness.Nets.Hessian;

/// <summary>
/// A per-example loss ℓ(f(x_i), y_i) and its convention. The training loss is always the mean over
/// examples, L = (1/N) Σ_i ℓ_i; the conventions differ only in ℓ, and they rescale the sharpness,
/// so every output that reports a sharpness states <see cref="Convention"/>.
/// </summary>
public abstract class LossFunction
{
    private protected LossFunction()
    {
    }

    /// <summary>
    /// MSE as in Cohen et al.: ℓ_i = ½ Σ_classes (f_ik − y_ik)² (for one output, ½(f − y)², the UV
    /// model's loss). Targets have the outputs' shape [B, k] and floating type.
    /// </summary>
    public static LossFunction HalfSquaredError { get; } = new SquaredError(meanOverOutputs: false);

    /// <summary>
    /// MSE as in Kalra &amp; Barkeshli: ℓ_i = ½ mean_classes (f_ik − y_ik)², smaller than
    /// <see cref="HalfSquaredError"/> by the class count k. Targets [B, k], floating type.
    /// </summary>
    public static LossFunction HalfMeanSquaredError { get; } = new SquaredError(meanOverOutputs: true);

    /// <summary>Softmax cross-entropy: ℓ_i = −log softmax(f_i)[y_i]. Targets are class indices [B] of type Int64 in [0, k).</summary>
    public static LossFunction CrossEntropy { get; } = new SoftmaxCrossEntropy();

    /// <summary>Short name for file names and tables ("mse-sum", "mse-mean", "cross-entropy").</summary>
    public abstract string Name { get; }

    /// <summary>The formula in words, for every output that reports a sharpness.</summary>
    public abstract string Convention { get; }

    /// <summary>
    /// Throws unless <paramref name="targets"/> fits outputs of shape [<paramref name="examples"/>,
    /// <paramref name="outputs"/>]: checked before any LibTorch call, because a shape error inside a
    /// kernel can take the process down.
    /// </summary>
    /// <param name="targets">All targets of the data set.</param>
    /// <param name="examples">Number of examples N.</param>
    /// <param name="outputs">Outputs per example k.</param>
    /// <exception cref="ArgumentException">Wrong shape, type, or (cross-entropy) a class index outside [0, k).</exception>
    public abstract void ValidateTargets(Tensor targets, long examples, int outputs);

    /// <summary>Σ_i ℓ_i over the batch as a scalar tensor, differentiable in <paramref name="outputs"/>.</summary>
    /// <param name="outputs">Network outputs [B, k].</param>
    /// <param name="targets">Targets of the same B, validated with <see cref="ValidateTargets"/>.</param>
    public abstract Tensor SumOverExamples(Tensor outputs, Tensor targets);

    /// <summary>The type targets are stored in when the outputs have type <paramref name="outputType"/>.</summary>
    /// <param name="outputType">Float32 or Float64.</param>
    internal abstract ScalarType TargetType(ScalarType outputType);

    /// <inheritdoc />
    public override string ToString() => Name;

    private static string Shape(Tensor t) => $"[{string.Join(", ", t.shape)}]";

    private sealed class SquaredError(bool meanOverOutputs) : LossFunction
    {
        public override string Name => meanOverOutputs ? "mse-mean" : "mse-sum";

        public override string Convention => meanOverOutputs
            ? "0.5 * mean over outputs of (f - y)^2, averaged over examples (Kalra & Barkeshli)"
            : "0.5 * sum over outputs of (f - y)^2, averaged over examples (Cohen et al.)";

        public override void ValidateTargets(Tensor targets, long examples, int outputs)
        {
            ArgumentNullException.ThrowIfNull(targets);
            if (targets.dim() != 2 || targets.shape[0] != examples || targets.shape[1] != outputs)
            {
                throw new ArgumentException($"Squared-error targets must have shape [{examples}, {outputs}], got {Shape(targets)}.", nameof(targets));
            }

            if (!targets.is_floating_point())
            {
                throw new ArgumentException($"Squared-error targets must be floating point, got {targets.dtype}.", nameof(targets));
            }
        }

        public override Tensor SumOverExamples(Tensor outputs, Tensor targets)
        {
            Tensor sum = outputs.sub(targets).Squared().sum().MulBy(0.5);
            return meanOverOutputs ? sum.DivBy(outputs.shape[1]) : sum;
        }

        internal override ScalarType TargetType(ScalarType outputType) => outputType;
    }

    private sealed class SoftmaxCrossEntropy : LossFunction
    {
        public override string Name => "cross-entropy";

        public override string Convention => "softmax cross-entropy, averaged over examples";

        public override void ValidateTargets(Tensor targets, long examples, int outputs)
        {
            ArgumentNullException.ThrowIfNull(targets);
            if (targets.dim() != 1 || targets.shape[0] != examples)
            {
                throw new ArgumentException($"Cross-entropy targets must be class indices of shape [{examples}], got {Shape(targets)}.", nameof(targets));
            }

            if (targets.dtype != ScalarType.Int64)
            {
                throw new ArgumentException($"Cross-entropy targets must be Int64 class indices, got {targets.dtype}.", nameof(targets));
            }

            using var scope = NewDisposeScope();
            long min = targets.min().item<long>();
            long max = targets.max().item<long>();
            if (min < 0 || max >= outputs)
            {
                throw new ArgumentException($"Class indices must lie in [0, {outputs}), found [{min}, {max}].", nameof(targets));
            }
        }

        public override Tensor SumOverExamples(Tensor outputs, Tensor targets) =>
            nn.functional.cross_entropy(outputs, targets, reduction: nn.Reduction.Sum);

        internal override ScalarType TargetType(ScalarType outputType) => ScalarType.Int64;
    }
}
