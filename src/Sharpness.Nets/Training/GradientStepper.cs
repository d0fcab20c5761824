using Sharpness.Nets.Hessian;
using Sharpness.Nets.Models;
using Sharpness.Nets.Parameters;
using Sharpness.Nets.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpness.Nets.Training;

/// <summary>
/// The optimiser state of a run: the training data in the model's type, the SGD sampler, the gradient of
/// the current step and the heavy-ball buffers. Parameters are visited in <see cref="ParameterVector"/> order.
/// </summary>
internal sealed class GradientStepper : IDisposable
{
    private readonly NetworkModule _model;
    private readonly TrainerConfig _config;
    private readonly LossFunction _loss;
    private readonly Tensor[] _parameters;
    private readonly Tensor _inputs;
    private readonly Tensor _targets;
    private readonly ShuffledBatchSampler? _sampler;
    private readonly Tensor[]? _velocity;
    private Tensor[]? _gradient;

    public GradientStepper(NetworkModule model, TrainerConfig config, ExampleSet train)
    {
        _model = model;
        _config = config;
        _loss = config.Loss;
        _parameters = ParameterVector.Ordered(model).Select(p => (Tensor)p.Parameter).ToArray();
        using var scope = NewDisposeScope();
        // Copies in LibTorch's own (64-byte aligned) memory: tensors made from managed arrays are only
        // 8-byte aligned, and LibTorch's CPU matrix kernels round differently for different alignments,
        // which would make repeated runs on the same data differ in their last bits.
        _inputs = train.Inputs.detach().to(model.DType, copy: true).DetachFromDisposeScope();
        _targets = train.Targets.detach().to(_loss.TargetType(model.DType), copy: true).DetachFromDisposeScope();
        if (config.Optimizer == OptimizerKind.StochasticGradientDescent)
        {
            _sampler = new ShuffledBatchSampler(train.Count, config.BatchSize, config.Seed);
        }

        if (config.Momentum > 0)
        {
            _velocity = _parameters.Select(p => zeros_like(p).DetachFromDisposeScope()).ToArray();
        }
    }

    /// <summary>
    /// Mean loss and accuracy at the current parameters over step <paramref name="step"/>'s examples, and
    /// (when <paramref name="withGradient"/>) the gradient of that mean loss, kept for <see cref="Update"/>.
    /// The gradient tensors belong to the caller's dispose scope.
    /// </summary>
    public (double Loss, double Accuracy, int Examples) Evaluate(int step, bool withGradient)
    {
        Tensor inputs = _inputs, targets = _targets;
        if (_sampler is not null)
        {
            Tensor indices = tensor(_sampler.Batch(step), ScalarType.Int64);
            inputs = _inputs.index_select(0, indices);
            targets = _targets.index_select(0, indices);
        }

        int examples = checked((int)inputs.shape[0]);
        _gradient = withGradient ? _parameters.Select(p => zeros_like(p)).ToArray() : null;
        double total = 0;
        long correct = 0;
        int physical = _config.PhysicalBatchSize;
        for (int start = 0; start < examples; start += physical)
        {
            using var batchScope = NewDisposeScope();
            int count = Math.Min(physical, examples - start);
            Tensor batchTargets = targets.narrow(0, start, count);
            Tensor share;
            Tensor outputs;
            if (_gradient is not null)
            {
                outputs = _model.forward(inputs.narrow(0, start, count));
                // Σ_batch ℓ_i / B: every physical batch counts in proportion to its size, so the sum of the
                // shares' gradients is exactly the gradient of the mean over the step's B examples.
                share = _loss.SumOverExamples(outputs, batchTargets).DivBy(examples);
                var gradient = autograd.grad([share], _parameters);
                using var noGrad = no_grad();
                for (int i = 0; i < _gradient.Length; i++)
                {
                    _gradient[i].AddInPlace(gradient[i]);
                }
            }
            else
            {
                using var noGrad = no_grad();
                outputs = _model.forward(inputs.narrow(0, start, count));
                share = _loss.SumOverExamples(outputs, batchTargets).DivBy(examples);
            }

            total += share.detach().to(ScalarType.Float64).item<double>();
            correct += Evaluation.CountCorrect(outputs.detach(), batchTargets, _loss);
        }

        double accuracy = _model.OutputDimension >= 2 ? (double)correct / examples : double.NaN;
        return (total, accuracy, examples);
    }

    /// <summary>
    /// θ ← θ − η m with m ← β m + g (heavy ball), or θ ← θ − η g without momentum, using the gradient of
    /// the last <see cref="Evaluate"/>.
    /// </summary>
    public void Update(double learningRate)
    {
        Tensor[] gradient = _gradient ?? throw new InvalidOperationException("No gradient has been computed for this step.");

        // LibTorch refuses a factor beyond the parameters' type (a rate above 3.4e38 for float32, as c/λ_H(0)
        // with a huge c gives) instead of rounding it to infinity as float32 arithmetic would; rounded here,
        // such a step makes the parameters infinite and the run diverges, a result rather than an error.
        double alpha = _model.DType == ScalarType.Float32 ? (float)-learningRate : -learningRate;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        for (int i = 0; i < _parameters.Length; i++)
        {
            Tensor direction = gradient[i];
            if (_velocity is not null)
            {
                _velocity[i].MulByInPlace(_config.Momentum).AddInPlace(gradient[i]);
                direction = _velocity[i];
            }

            _parameters[i].AddScaledInPlace(direction, alpha);
        }

        _gradient = null;
    }

    public void Dispose()
    {
        _inputs.Dispose();
        _targets.Dispose();
        if (_velocity is not null)
        {
            foreach (Tensor v in _velocity)
            {
                v.Dispose();
            }
        }
    }
}
