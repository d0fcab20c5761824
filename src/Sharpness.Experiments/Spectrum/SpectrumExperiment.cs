using System.Diagnostics;
using Sharpness.Core.Eigen;
using Sharpness.Core.LinearAlgebra;
using Sharpness.Core.Spectral;
using Sharpness.Experiments.Progress;
using Sharpness.Nets.Data;
using Sharpness.Nets.Hessian;
using Sharpness.Nets.Models;
using Sharpness.Nets.Parameters;
using static TorchSharp.torch;

namespace Sharpness.Experiments.Spectrum;

/// <summary>
/// The curvature of a model's training loss at one point, as PyHessian measures it and more: the top (and on request
/// the most negative) Hessian eigenvalues with their residuals, Hutchinson's trace estimate with its standard error,
/// the spectral density by stochastic Lanczos quadrature, the top eigenvalue of the Gauss–Newton matrix next to the
/// Hessian's, and the loss and gradient norm.
/// </summary>
/// <remarks>
/// <para>
/// Every number is a property of the mean loss L = (1/N) Σ ℓ(f(x_i), y_i) over the N examples (the first
/// <see cref="SpectrumOptions.MeasureSize"/>), with the module in evaluation mode (<see cref="TorchScriptNetwork"/>),
/// computed from exact Hessian-vector products (<see cref="AutogradHessianOperator"/>) in
/// <see cref="SpectrumOptions.Precision"/>. Eigenvalues come from Lanczos with full re-orthogonalisation
/// (<see cref="Lanczos"/>), not power iteration: the same accuracy in fewer products, and a residual for each value.
/// </para>
/// <para>
/// Progress goes to the <see cref="IProgress{T}"/> (task <c>net spectrum/STAGE</c>, unit "products"); nothing is written
/// anywhere. Cancellation is observed between products and ends the run with <see cref="OperationCanceledException"/>.
/// Same options and seeds, same numbers (with one thread, bit for bit).
/// </para>
/// </remarks>
public static class SpectrumExperiment
{
    private const string TaskName = "net spectrum";

    /// <summary>Measures the curvature.</summary>
    /// <param name="options">What to measure, on which model and data.</param>
    /// <param name="progress">Receives progress snapshots, or null.</param>
    /// <param name="cancellationToken">Stops the run between products.</param>
    /// <returns>The measurements.</returns>
    /// <exception cref="InvalidOptionException">
    /// A setting is out of range, a file cannot be read or is malformed, the module cannot be used, or the model's
    /// inputs or outputs do not fit the data or the loss; the option is named as the command line spells it
    /// (<c>--torchscript</c>, <c>--data</c>, <c>--loss</c>, …; <c>--run</c> for a model or examples given in memory).
    /// </exception>
    /// <exception cref="OperationCanceledException">The run was cancelled.</exception>
    public static SpectrumResult Run(SpectrumOptions options, IProgress<ExperimentProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        Func<StageTime> total = StageTime.Start();
        if (options.Threads is int threads)
        {
            set_num_threads(threads);
        }

        Report(progress, "loading", 0, null, clock, "loading the model and the data");
        using var scope = NewDisposeScope();
        using var data = ModelData.Load(options);
        cancellationToken.ThrowIfCancellationRequested();
        NetworkModule model = data.Model;
        Tensor inputs = data.Dataset.Inputs;
        Tensor targets = data.Targets;

        using var hessian = new AutogradHessianOperator(model, options.Loss, inputs, targets, options.BatchSize, options.Precision);
        var gradient = new double[hessian.Size];
        double loss = hessian.LossAndGradient(gradient);
        double gradientNorm = Math.Sqrt(gradient.Sum(g => g * g));

        SpectrumEnd top = Solve(hessian, options, EigenTarget.LargestAlgebraic, Math.Min(options.TopK, hessian.Size), floor: 0, "top", progress, clock, cancellationToken);
        double scale = top.Eigenvalues.Count > 0 ? Math.Abs(top.Eigenvalues[0]) : 0;
        SpectrumEnd? bottom = options.BottomK == 0 ? null
            : Solve(hessian, options, EigenTarget.SmallestAlgebraic, Math.Min(options.BottomK, hessian.Size), scale, "bottom", progress, clock, cancellationToken);

        SpectrumEnd? gaussNewton = null;
        if (options.GaussNewton)
        {
            using var gn = new GaussNewtonOperator(model, options.Loss, inputs, targets, options.BatchSize, options.Precision);
            gaussNewton = Solve(gn, options, EigenTarget.LargestAlgebraic, 1, floor: 0, "gauss-newton", progress, clock, cancellationToken);
        }

        SpectrumTrace? trace = null;
        if (options.Trace is { } traceOptions)
        {
            Func<StageTime> watch = StageTime.Start();
            TraceEstimate estimate = HutchinsonTrace.Estimate(
                hessian,
                traceOptions with { CancellationToken = cancellationToken },
                e => Report(progress, "trace", e.Probes, traceOptions.MaxProbes, clock, $"trace {e.Estimate:G6} ± {e.StandardError:G3}", ("trace", e.Estimate)));
            cancellationToken.ThrowIfCancellationRequested();
            trace = new SpectrumTrace(estimate, watch());
        }

        SpectrumDensity? density = null;
        if (options.Density is { } densityOptions)
        {
            Func<StageTime> watch = StageTime.Start();
            int steps = Math.Min(densityOptions.Steps, hessian.Size);
            int probesDone = 0;
            var observed = new ObservedOperator(hessian, products => Report(
                progress, "density", products, (long)densityOptions.Probes * steps, clock, $"density: probe {probesDone + 1} of {densityOptions.Probes}"));
            SpectralDensity estimate = StochasticLanczosQuadrature.Estimate(
                observed,
                densityOptions with { CancellationToken = cancellationToken },
                done => probesDone = done);
            cancellationToken.ThrowIfCancellationRequested();
            double sigma = options.DensityBroadening ?? estimate.DefaultBroadening;
            var (lambda, rho) = estimate.OnGrid(options.DensityPoints, sigma);
            density = new SpectrumDensity(estimate, sigma, lambda, rho, watch());
        }

        return new SpectrumResult
        {
            Options = options,
            StartedUtc = started,
            ModelSha256 = data.ModelSha256,
            DataSha256 = data.Sha256,
            DataSource = data.Source,
            Parameters = hessian.Size,
            ParameterShapes = ParameterVector.Ordered(model).Select(p => (p.Name, p.Parameter.shape)).ToArray(),
            Examples = checked((int)hessian.Examples),
            InputShape = model.InputShape,
            Outputs = model.OutputDimension,
            LossValue = loss,
            GradientNorm = gradientNorm,
            Top = top,
            Bottom = bottom,
            GaussNewton = gaussNewton,
            Trace = trace,
            Density = density,
            GraphOptimisationOff = TorchScriptNetwork.GraphOptimisationOff,
            Time = total(),
        };
    }

    private static SpectrumEnd Solve(
        ILinearOperator op, SpectrumOptions options, EigenTarget target, int count, double floor, string stage,
        IProgress<ExperimentProgress>? progress, Stopwatch clock, CancellationToken cancellationToken)
    {
        Func<StageTime> watch = StageTime.Start();
        IEigenStopCriterion stop = StopCriteria.Any(
            StopCriteria.Divergence(),
            StopCriteria.Residual(options.Tolerance, floor),
            StopCriteria.MaxMatvecs(options.MaxMatvecs));
        var observed = new ObservedCriterion(stop, state =>
        {
            string values = string.Join(", ", state.Eigenvalues.Take(3).Select(v => v.ToString("G6", System.Globalization.CultureInfo.InvariantCulture)));
            Report(progress, stage, state.Matvecs, options.MaxMatvecs, clock, $"{stage}: {values}", state.Eigenvalues.Count > 0 ? (stage, state.Eigenvalues[0]) : null);
        });
        EigenResult result = Lanczos.Solve(op, new EigenSolverOptions
        {
            Count = count,
            Target = target,
            Seed = options.Seed,
            StopCriterion = observed,
            CancellationToken = cancellationToken,
        });
        cancellationToken.ThrowIfCancellationRequested();
        return new SpectrumEnd(result.Eigenvalues, result.Residuals, result.Matvecs, result.Converged, result.StopReason, watch());
    }

    private static void Report(
        IProgress<ExperimentProgress>? progress, string stage, long completed, long? total, Stopwatch clock, string message,
        (string Name, double Value)? metric = null, string unit = "products")
    {
        progress?.Report(new ExperimentProgress
        {
            Task = $"{TaskName}/{stage}",
            Completed = completed,
            Total = total,
            Unit = unit,
            Elapsed = clock.Elapsed,
            Message = message,
            Metrics = metric is { } m ? [new ProgressMetric(m.Name, m.Value)] : [],
        });
    }

    /// <summary>An operator that reports the number of products made after each one.</summary>
    private sealed class ObservedOperator(ILinearOperator inner, Action<int> afterProduct) : ILinearOperator
    {
        private int _products;

        public int Size => inner.Size;

        public void Apply(ReadOnlySpan<double> input, Span<double> output)
        {
            inner.Apply(input, output);
            afterProduct(++_products);
        }
    }

    /// <summary>A stop criterion that reports every state it sees before delegating.</summary>
    private sealed class ObservedCriterion(IEigenStopCriterion inner, Action<EigenIterationState> observe) : IEigenStopCriterion
    {
        public StopReason Check(in EigenIterationState state)
        {
            observe(state);
            return inner.Check(in state);
        }
    }

    /// <summary>The loaded model and data, with their provenance; maps every input problem to its option.</summary>
    private sealed class ModelData : IDisposable
    {
        private readonly List<IDisposable> _owned = [];

        public required NetworkModule Model { get; init; }

        public required Dataset Dataset { get; init; }

        public required Tensor Targets { get; init; }

        public required string? Sha256 { get; init; }

        public required string Source { get; init; }

        public required string? ModelSha256 { get; init; }

        public static ModelData Load(SpectrumOptions options)
        {
            var owned = new List<IDisposable>();
            try
            {
                Dataset? raw = null;
                string? sha256 = null;
                string source;
                ExampleFile? file = null;
                if (options.DataFile is { } path)
                {
                    file = LoadFile(path, options);
                    owned.Add(file);
                    sha256 = file.Sha256;
                    source = file.Path;
                }
                else if (options.Data is { } given)
                {
                    raw = Flat(given, options.MeasureSize, owned);
                    source = given.Name;
                }
                else
                {
                    DatasetSplits splits = LoadDataset(options);
                    owned.Add(splits);
                    raw = Flat(splits.Train, null, owned);
                    source = options.ImageDataset?.Name ?? "synthetic";
                }

                NetworkModule model;
                string? modelSha256 = null;
                if (options.Model is { } inMemory)
                {
                    model = inMemory;
                }
                else
                {
                    var script = LoadModel(options, SampleInputs(options, file, raw));
                    owned.Add(script);
                    model = script;
                    modelSha256 = script.Sha256;
                }

                Dataset dataset = file is null ? Fit(raw!, model, options) : FromFile(file, model, options);
                if (!ReferenceEquals(dataset, raw))
                {
                    owned.Add(dataset);
                }

                Tensor targets = TargetsFor(dataset, options, source);
                var loaded = new ModelData { Model = model, Dataset = dataset, Targets = targets, Sha256 = sha256, Source = source, ModelSha256 = modelSha256 };
                loaded._owned.AddRange(owned);
                return loaded;
            }
            catch
            {
                foreach (IDisposable d in Enumerable.Reverse(owned))
                {
                    d.Dispose();
                }

                throw;
            }
        }

        /// <summary>The first <paramref name="count"/> examples (all when null) with flat inputs [n, d], the layout every operator takes.</summary>
        private static Dataset Flat(Dataset data, int? count, List<IDisposable> owned)
        {
            Dataset result = data;
            if (count is int n && n < result.Count)
            {
                result = result.Take(n);
                owned.Add(result);
            }

            if (result.Layout != InputLayout.Flat)
            {
                result = result.WithLayout(InputLayout.Flat);
                owned.Add(result);
            }

            return result;
        }

        public void Dispose()
        {
            foreach (IDisposable d in Enumerable.Reverse(_owned))
            {
                d.Dispose();
            }
        }

        private static ExampleFile LoadFile(string path, SpectrumOptions options)
        {
            try
            {
                return ExampleFile.Load(path, options.InputsName, options.TargetsName);
            }
            catch (DatasetException e)
            {
                throw new InvalidOptionException("--data", e.Message);
            }
        }

        private static DatasetSplits LoadDataset(SpectrumOptions options)
        {
            try
            {
                if (options.ImageDataset is { } image)
                {
                    return ImageDatasets.Load(image with
                    {
                        TrainCount = options.MeasureSize ?? image.TrainCount,
                        TestCount = 1,
                        DType = ScalarType.Float64,
                    });
                }

                var synthetic = options.SyntheticDataset!;
                return SyntheticDatasets.Create(synthetic with { TrainCount = options.MeasureSize ?? synthetic.TrainCount, TestCount = 1, DType = ScalarType.Float64 });
            }
            catch (DatasetException e)
            {
                throw new InvalidOptionException("--dataset", e.Message);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
                throw new InvalidOptionException("--dataset", e.Message.Split(" (Parameter", 2)[0]);
            }
        }

        /// <summary>The first two examples in the shape the module takes.</summary>
        private static Tensor SampleInputs(SpectrumOptions options, ExampleFile? file, Dataset? dataset)
        {
            Tensor inputs = file?.Inputs ?? dataset!.Inputs;
            long n = Math.Min(2, inputs.shape[0]);
            long features = inputs.numel() / inputs.shape[0];
            IReadOnlyList<int> shape = options.InputShape
                ?? (file is not null ? file.Inputs.shape.Skip(1).Select(d => (int)d).ToArray() : dataset!.ImageShape?.Dimensions ?? [(int)features]);
            long wanted = shape.Aggregate(1L, (a, b) => a * b);
            if (wanted != features)
            {
                throw new InvalidOptionException(
                    "--input-shape",
                    $"the input shape [{string.Join(", ", shape)}] has {wanted} values per example but the data has {features}.");
            }

            return inputs.narrow(0, 0, n).reshape([n, .. shape.Select(d => (long)d)]);
        }

        private static TorchScriptNetwork LoadModel(SpectrumOptions options, Tensor sample)
        {
            byte[] content;
            try
            {
                content = Sharpness.Runs.Safety.BoundedFile.ReadAllBytes(options.TorchScriptFile!, Sharpness.Runs.Safety.FileKindLimit.Module);
            }
            catch (Sharpness.Runs.Safety.InputFileException e)
            {
                throw new InvalidOptionException("--torchscript", e.Message);
            }

            try
            {
                return TorchScriptNetwork.Load(content, sample, options.Precision);
            }
            catch (TorchScriptException e)
            {
                throw new InvalidOptionException("--torchscript", $"{options.TorchScriptFile}: {e.Message}");
            }
        }

        private static Dataset FromFile(ExampleFile file, NetworkModule model, SpectrumOptions options)
        {
            try
            {
                return file.ToDataset(model.OutputDimension, options.Precision, options.MeasureSize);
            }
            catch (ArgumentException e)
            {
                throw new InvalidOptionException(ModelOption(options), $"{ModelName(options)}: {e.Message.Split(" (Parameter", 2)[0]}");
            }
        }

        private static Dataset Fit(Dataset train, NetworkModule model, SpectrumOptions options)
        {
            if (train.OutputCount != model.OutputDimension || train.FeatureCount != model.InputDimension)
            {
                throw new InvalidOptionException(
                    ModelOption(options),
                    $"{ModelName(options)}: the model takes {model.InputDimension} input value(s) and returns {model.OutputDimension} output(s) per example, but the data has {train.FeatureCount} input value(s) and {train.OutputCount} target value(s) per example.");
            }

            return train;
        }

        private static string ModelOption(SpectrumOptions options) => options.Model is null ? "--torchscript" : "--run";

        private static string ModelName(SpectrumOptions options) => options.TorchScriptFile ?? options.Model!.GetName();

        private static Tensor TargetsFor(Dataset dataset, SpectrumOptions options, string source)
        {
            try
            {
                return dataset.TargetsFor(options.Loss);
            }
            catch (InvalidOperationException)
            {
                throw new InvalidOptionException(
                    "--loss",
                    $"{options.Loss.Name} needs class labels (integer class indices or one-hot rows), but the targets of {System.IO.Path.GetFileName(source)} are real values; use mse-sum or mse-mean.");
            }
        }
    }
}
