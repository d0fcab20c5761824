using Sharpness.Core.Eigen;
using Sharpness.Nets.Hessian;
using Sharpness.Nets.Models;
using Sharpness.Nets.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpness.Nets.Training;

/// <summary>
/// Measures the sharpness of a network during training: the top Hessian eigenvalue(s) of the mean
/// training loss on a fixed measurement set, by Lanczos (<see cref="Lanczos"/>) on the exact
/// Hessian-vector products of <see cref="AutogradHessianOperator"/>, warm-started from the previous
/// measurement's eigenvectors, together with output, loss and accuracy statistics.
/// </summary>
/// <remarks>
/// <para>
/// The measurement set is the first M = min(<see cref="SharpnessTrackerOptions.MeasurementExamples"/>,
/// N) training examples in order, copied once in <see cref="SharpnessTrackerOptions.Precision"/>.
/// Each measurement copies the model into that precision, so training may continue in float32.
/// </para>
/// <para>
/// The first measurement starts Lanczos from a Gaussian vector drawn from
/// <see cref="SharpnessTrackerOptions.Seed"/>; later ones (with <see cref="SharpnessTrackerOptions.WarmStart"/>)
/// start from the previous eigenvectors, or their sum for several eigenvalues. Every measurement uses the
/// same stop rule (residual tolerance and matvec budget), so warm and cold starts give the same accuracy.
/// A measurement that yields no finite eigenvectors (for example at diverging parameters) makes the
/// next one start cold. Nothing here throws for numerical reasons.
/// </para>
/// <para>
/// The tracker refers to the training and test tensors without copying them (only the measurement set
/// is copied) and is not thread-safe.
/// </para>
/// </remarks>
public sealed class SharpnessTracker : IDisposable
{
    private readonly ExampleSet _train;
    private readonly ExampleSet? _test;
    private readonly Tensor _measurementInputs;
    private readonly Tensor _measurementTargets;
    private double[][]? _previousVectors;
    private bool _disposed;

    /// <summary>Creates a tracker for networks trained on <paramref name="train"/> with <paramref name="loss"/>.</summary>
    /// <param name="loss">The training loss convention; the Hessian is that of the mean of this loss.</param>
    /// <param name="train">The training set; its first M examples are the measurement set.</param>
    /// <param name="options">Settings; null uses the defaults of <see cref="SharpnessTrackerOptions"/>.</param>
    /// <param name="test">Optional test set for <see cref="SharpnessMeasurement.TestLoss"/> and <see cref="SharpnessMeasurement.TestAccuracy"/>.</param>
    /// <exception cref="ArgumentException">The inputs are not a floating-point [N, d] batch with N ≥ 1, or the targets have a different N.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public SharpnessTracker(LossFunction loss, ExampleSet train, SharpnessTrackerOptions? options = null, ExampleSet? test = null)
    {
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(train);
        options ??= new SharpnessTrackerOptions();
        options.Validate();
        RequireBatch(train, nameof(train));
        if (test is not null)
        {
            RequireBatch(test, nameof(test));
        }

        if (options.ProjectOnTopEigenvector && Evaluation.HasClassIndexTargets(loss))
        {
            throw new ArgumentException($"The projection on the top eigenvector needs a squared-error loss, got {loss.Name}.", nameof(options));
        }

        Loss = loss;
        Options = options;
        _train = train;
        _test = test;
        MeasurementExamples = Math.Min(options.MeasurementExamples, train.Count);
        using var scope = NewDisposeScope();
        _measurementInputs = train.Inputs.narrow(0, 0, MeasurementExamples).detach().to(options.Precision, copy: true).DetachFromDisposeScope();
        _measurementTargets = train.Targets.narrow(0, 0, MeasurementExamples).detach().to(loss.TargetType(options.Precision), copy: true).DetachFromDisposeScope();
    }

    /// <summary>The loss whose Hessian is measured; report its <see cref="LossFunction.Convention"/> with every sharpness.</summary>
    public LossFunction Loss { get; }

    /// <summary>The settings.</summary>
    public SharpnessTrackerOptions Options { get; }

    /// <summary>Number of examples M in the measurement set.</summary>
    public int MeasurementExamples { get; }

    /// <summary>Whether the next measurement will start from the previous eigenvectors.</summary>
    public bool HasWarmStart => Options.WarmStart && _previousVectors is not null;

    /// <summary>
    /// Measures at the model's current parameters θ_t: builds the Hessian operator on the measurement set,
    /// runs Lanczos for the top <see cref="SharpnessTrackerOptions.Count"/> eigenvalues (capped at the
    /// parameter count), and evaluates outputs, losses and accuracies. The model is not modified.
    /// </summary>
    /// <param name="model">The network; its input and output sizes must fit the data.</param>
    /// <param name="step">Step index t ≥ 0, recorded with the measurement.</param>
    /// <param name="learningRate">Learning rate η_t of the step, for the threshold; NaN when not known yet.</param>
    /// <param name="momentum">Heavy-ball momentum β in [0, 1) (default 0).</param>
    /// <returns>The measurement; <see cref="SharpnessMeasurement.Converged"/> is false when Lanczos stopped early.</returns>
    /// <exception cref="ArgumentException">The data do not fit the model or the loss.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="step"/> is negative or <paramref name="momentum"/> is outside [0, 1).</exception>
    /// <exception cref="ObjectDisposedException">The tracker was disposed.</exception>
    public SharpnessMeasurement Measure(NetworkModule model, int step, double learningRate, double momentum = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        if (!(momentum >= 0 && momentum < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "The momentum β must lie in [0, 1).");
        }

        ObjectDisposedException.ThrowIf(_disposed, this);
        _train.Validate(model, Loss, "train");
        _test?.Validate(model, Loss, "test");

        using var scope = NewDisposeScope();
        EigenResult spectrum;
        bool warm;
        using (var op = new AutogradHessianOperator(model, Loss, _measurementInputs, _measurementTargets, Options.HvpBatchSize, Options.Precision, RetainsGraphs(model)))
        {
            int count = Math.Min(Options.Count, op.Size);
            double[]? start = Options.WarmStart ? WarmStartVector(op.Size) : null;
            warm = start is not null;
            spectrum = Lanczos.Solve(op, new EigenSolverOptions
            {
                Count = count,
                StartVector = start,
                Seed = Options.Seed,
                StopCriterion = StopCriteria.Default(Options.MaxMatvecs, Options.ResidualTolerance),
                MaxBasisSize = Options.MaxBasisSize,
            });
            Remember(spectrum, count, op.Size);
        }

        FunctionSpaceProjection? projection = Options.ProjectOnTopEigenvector && spectrum.Eigenvectors.Length > 0
            ? FunctionSpaceProjection.Compute(model, Loss, _measurementInputs, _measurementTargets, spectrum.Eigenvectors[0], Options.HvpBatchSize, Options.Precision)
            : null;

        var outputs = MeasurementSetStatistics(model);
        var (trainLoss, trainAccuracy) = Evaluation.Evaluate(model, Loss, _train, Options.HvpBatchSize);
        var (testLoss, testAccuracy) = _test is null ? (double.NaN, double.NaN) : Evaluation.Evaluate(model, Loss, _test, Options.HvpBatchSize);
        return new SharpnessMeasurement
        {
            Step = step,
            Eigenvalues = spectrum.Eigenvalues,
            Residuals = spectrum.Residuals,
            Matvecs = spectrum.Matvecs,
            Converged = spectrum.Converged,
            StopReason = spectrum.StopReason,
            WarmStarted = warm,
            LearningRate = learningRate,
            Momentum = momentum,
            MeasurementExamples = MeasurementExamples,
            OutputNorm = outputs.OutputNorm,
            OutputTargetInnerProduct = outputs.Inner,
            TargetNorm = outputs.TargetNorm,
            MeasurementLoss = outputs.Loss,
            TrainLoss = trainLoss,
            TrainAccuracy = trainAccuracy,
            TestLoss = testLoss,
            TestAccuracy = testAccuracy,
            Projection = projection,
        };
    }

    /// <summary>
    /// Whether a measurement of <paramref name="model"/> keeps every batch's gradient graph between its products:
    /// <see cref="SharpnessTrackerOptions.RetainGraphs"/> and an estimate within <see cref="AutogradHessianOperator.RetainedGraphBudgetBytes"/>
    /// (a single batch is kept in any case).
    /// </summary>
    /// <param name="model">The network.</param>
    public bool RetainsGraphs(NetworkModule model) =>
        Options.RetainGraphs
        && AutogradHessianOperator.EstimatedRetainedGraphBytes(model, MeasurementExamples, Options.HvpBatchSize, Options.Precision) is double bytes
        && bytes <= AutogradHessianOperator.RetainedGraphBudgetBytes;

    /// <summary>Forgets the previous eigenvectors: the next measurement starts cold.</summary>
    public void ResetWarmStart() => _previousVectors = null;

    /// <summary>Releases the copy of the measurement set.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _measurementInputs.Dispose();
        _measurementTargets.Dispose();
    }

    private static void RequireBatch(ExampleSet data, string name)
    {
        if (data.Inputs is null || data.Targets is null)
        {
            throw new ArgumentException("Inputs and targets must both be given.", name);
        }

        if (data.Inputs.dim() != 2 || data.Inputs.shape[0] < 1 || !data.Inputs.is_floating_point())
        {
            throw new ArgumentException($"Inputs must be a floating-point batch [N, d] with N ≥ 1, got {data.Inputs.dtype} [{string.Join(", ", data.Inputs.shape)}].", name);
        }

        if (data.Targets.dim() < 1 || data.Targets.shape[0] != data.Inputs.shape[0])
        {
            throw new ArgumentException($"There are {data.Inputs.shape[0]} inputs but targets of shape [{string.Join(", ", data.Targets.shape)}].", name);
        }
    }

    /// <summary>The previous eigenvectors (summed), or null for a cold start.</summary>
    private double[]? WarmStartVector(int size)
    {
        if (_previousVectors is not { } vectors || vectors[0].Length != size)
        {
            return null;
        }

        var start = (double[])vectors[0].Clone();
        for (int i = 1; i < vectors.Length; i++)
        {
            for (int j = 0; j < size; j++)
            {
                start[j] += vectors[i][j];
            }
        }

        double norm = Math.Sqrt(start.Sum(x => x * x));
        return norm > 0 && double.IsFinite(norm) ? start : null;
    }

    private void Remember(EigenResult spectrum, int count, int size)
    {
        bool usable = spectrum.Eigenvectors.Length == count
            && spectrum.Eigenvectors.All(v => v.Length == size && v.All(double.IsFinite));
        _previousVectors = usable ? spectrum.Eigenvectors.Select(v => (double[])v.Clone()).ToArray() : null;
    }

    private (double OutputNorm, double Inner, double TargetNorm, double Loss) MeasurementSetStatistics(NetworkModule model)
    {
        using var scope = NewDisposeScope();
        using var copy = model.Clone(Options.Precision);
        using var noGrad = no_grad();
        double squaredOutputs = 0, inner = 0, squaredTargets = 0, loss = 0;
        for (int start = 0; start < MeasurementExamples; start += Options.HvpBatchSize)
        {
            using var batchScope = NewDisposeScope();
            int count = Math.Min(Options.HvpBatchSize, MeasurementExamples - start);
            Tensor outputs = copy.forward(_measurementInputs.narrow(0, start, count));
            Tensor targets = _measurementTargets.narrow(0, start, count);
            Tensor targetValues = Evaluation.TargetMatrix(targets, Loss, model.OutputDimension, Options.Precision);
            squaredOutputs += outputs.Squared().sum().to(ScalarType.Float64).item<double>();
            inner += outputs.mul(targetValues).sum().to(ScalarType.Float64).item<double>();
            squaredTargets += targetValues.Squared().sum().to(ScalarType.Float64).item<double>();
            loss += Loss.SumOverExamples(outputs, targets).to(ScalarType.Float64).item<double>();
        }

        return (Math.Sqrt(squaredOutputs), inner, Math.Sqrt(squaredTargets), loss / MeasurementExamples);
    }
}
