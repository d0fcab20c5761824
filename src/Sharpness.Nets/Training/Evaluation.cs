using Sharpness.Nets.Hessian;
using Sharpness.Nets.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpness.Nets.Training;

/// <summary>Mean loss and accuracy of a model on a set of examples, in batches, without gradients.</summary>
internal static class Evaluation
{
    /// <summary>
    /// The mean loss (1/N) Σ ℓ_i and the accuracy over all N examples, evaluated in the model's type in
    /// consecutive batches. Accuracy is NaN for a single output.
    /// </summary>
    public static (double Loss, double Accuracy) Evaluate(NetworkModule model, LossFunction loss, ExampleSet data, int batchSize)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        int n = data.Count;
        double total = 0;
        long correct = 0;
        for (int start = 0; start < n; start += batchSize)
        {
            using var batchScope = NewDisposeScope();
            int count = Math.Min(batchSize, n - start);
            // A fresh, aligned copy: see GradientStepper on alignment and rounding.
            Tensor outputs = model.forward(data.Inputs.narrow(0, start, count).to(model.DType, copy: true));
            Tensor targets = data.Targets.narrow(0, start, count).to(loss.TargetType(model.DType));
            total += loss.SumOverExamples(outputs, targets).to(ScalarType.Float64).item<double>();
            correct += CountCorrect(outputs, targets, loss);
        }

        return (total / n, model.OutputDimension >= 2 ? (double)correct / n : double.NaN);
    }

    /// <summary>
    /// Examples whose largest output is the target class: the label for cross-entropy, the largest target
    /// component for squared error (one-hot targets). 0 for a single output, where accuracy is undefined.
    /// </summary>
    public static long CountCorrect(Tensor outputs, Tensor targets, LossFunction loss)
    {
        if (outputs.shape[1] < 2)
        {
            return 0;
        }

        using var scope = NewDisposeScope();
        Tensor predicted = outputs.argmax(1);
        Tensor wanted = HasClassIndexTargets(loss) ? targets : targets.argmax(1);
        return predicted.eq(wanted).sum().item<long>();
    }

    /// <summary>The targets as [B, k] values: one-hot rows for cross-entropy labels, the targets themselves otherwise.</summary>
    public static Tensor TargetMatrix(Tensor targets, LossFunction loss, int outputs, ScalarType dtype) =>
        HasClassIndexTargets(loss)
            ? nn.functional.one_hot(targets, outputs).to(dtype)
            : targets.to(dtype);

    /// <summary>Whether the loss takes class indices [B] (cross-entropy) rather than target values [B, k].</summary>
    public static bool HasClassIndexTargets(LossFunction loss) => loss.TargetType(ScalarType.Float64) == ScalarType.Int64;
}
