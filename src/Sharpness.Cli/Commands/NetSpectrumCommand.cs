using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Sharpness.Cli.Progress;
using Sharpness.Core.Spectral;
using Sharpness.Experiments.Nets;
using Sharpness.Experiments.Runs;
using Sharpness.Experiments.Spectrum;
using Sharpness.Nets.Data;
using Sharpness.Runs;

namespace Sharpness.Cli.Commands;

/// <summary>
/// <c>sharpness net spectrum</c>: the Hessian spectrum of a user's model at one point (top and bottom eigenvalues,
/// trace, density, Gauss–Newton top eigenvalue, loss and gradient norm), a thin caller of <see cref="SpectrumExperiment"/>.
/// </summary>
public sealed class NetSpectrumCommand
{
    private readonly Option<FileInfo?> _torchscript = new("--torchscript") { Description = "The model: a TorchScript file (torch.jit.script(model).save(path) or a traced module). Required unless --run." };
    private readonly Option<DirectoryInfo?> _run = new("--run") { Description = "Instead of --torchscript and the data: a net train run folder with a checkpoint (its network at the checkpoint, its training examples and loss)." };
    private readonly Option<FileInfo?> _data = new("--data") { Description = "A safetensors file with the tensors 'inputs' [N, ...] and 'targets' (class indices [N], or rows [N, k]). Excludes --dataset." };
    private readonly Option<string> _inputsName = new("--inputs-name") { Description = "Name of the inputs tensor in --data.", DefaultValueFactory = _ => ExampleFile.DefaultInputsName };
    private readonly Option<string> _targetsName = new("--targets-name") { Description = "Name of the targets tensor in --data.", DefaultValueFactory = _ => ExampleFile.DefaultTargetsName };
    private readonly Option<string?> _dataset = new("--dataset") { Description = "A toolkit dataset instead of --data: fashion-mnist, mnist or cifar10 (training split, standardised as for net train)." };
    private readonly Option<DirectoryInfo?> _dataDir = new("--data-dir") { Description = "Folder of the --dataset files. Default: /usr/share/datasets/fashion-mnist for Fashion-MNIST." };
    private readonly Option<string?> _classes = new("--classes") { Description = "--dataset: comma-separated subset of classes, relabelled 0..k-1 in the given order." };
    private readonly Option<string?> _inputShape = new("--input-shape") { Description = "Shape of one example as the module takes it, e.g. 1,28,28 or 784. Default: the data's." };
    private readonly Option<string> _loss = new("--loss") { Description = "mse-sum (0.5 sum over outputs, mean over examples), mse-mean (0.5 mean over examples and outputs) or ce (softmax cross-entropy).", DefaultValueFactory = _ => "mse-sum" };
    private readonly Option<int?> _measureSize = new("--measure-size") { Description = "Use the first N examples. Default: all of --data; 5000 of --dataset." };
    private readonly Option<string> _dtype = new("--dtype") { Description = "float64 or float32 for the model copy, the data and every product.", DefaultValueFactory = _ => "float64" };
    private readonly Option<int> _batchSize = new("--batch-size") { Description = "Examples per forward/backward pass (memory only).", DefaultValueFactory = _ => 1000 };
    private readonly Option<int> _topK = new("--top-k") { Description = "Number of largest Hessian eigenvalues.", DefaultValueFactory = _ => 1 };
    private readonly Option<int> _bottomK = new("--bottom-k") { Description = "Number of smallest (most negative) Hessian eigenvalues.", DefaultValueFactory = _ => 0 };
    private readonly Option<double> _tolerance = new("--tolerance") { Description = "Lanczos stops at residuals below this times the largest wanted |eigenvalue|.", DefaultValueFactory = _ => 1e-6 };
    private readonly Option<int> _maxMatvecs = new("--max-matvecs") { Description = "Products per Lanczos run, at most.", DefaultValueFactory = _ => 1000 };
    private readonly Option<bool> _noGaussNewton = new("--no-gauss-newton") { Description = "Skip the top eigenvalue of the Gauss-Newton matrix." };
    private readonly Option<bool> _trace = new("--trace") { Description = "Estimate the trace (Hutchinson, Rademacher probes) with its standard error." };
    private readonly Option<double> _traceTolerance = new("--trace-tolerance") { Description = "Stop when the standard error is below this fraction of |trace|.", DefaultValueFactory = _ => 0.01 };
    private readonly Option<int> _traceMinProbes = new("--trace-min-probes") { Description = "Probes before the stop rule is consulted.", DefaultValueFactory = _ => 10 };
    private readonly Option<int> _traceMaxProbes = new("--trace-max-probes") { Description = "Probe budget.", DefaultValueFactory = _ => 100 };
    private readonly Option<bool> _density = new("--density") { Description = "Estimate the spectral density by stochastic Lanczos quadrature." };
    private readonly Option<int> _densityProbes = new("--density-probes") { Description = "Random start vectors of the density.", DefaultValueFactory = _ => 1 };
    private readonly Option<int> _densitySteps = new("--density-steps") { Description = "Lanczos steps per start vector.", DefaultValueFactory = _ => 100 };
    private readonly Option<double?> _densitySigma = new("--density-sigma") { Description = "Gaussian broadening of the density. Default: PyHessian's sqrt(1e-5 * max(1, range))." };
    private readonly Option<int> _densityPoints = new("--density-points") { Description = "Points of the density grid.", DefaultValueFactory = _ => 10_000 };
    private readonly Option<ulong> _seed = new("--seed") { Description = "Seed of the Lanczos start vector and of the probes.", DefaultValueFactory = _ => 0UL };
    private readonly Option<int> _threads = new("--threads") { Description = "LibTorch intra-op threads (1 gives bit-identical results).", DefaultValueFactory = _ => 1 };
    private readonly Option<DirectoryInfo?> _out = new("--out") { Description = "Run folder (new or empty) for eigenvalues.csv, trace.csv, density.csv, density.png and manifest.json. Default: print only." };
    private readonly Option<bool> _quiet = AnalysisOptions.Quiet();
    private readonly Option<bool> _json = new("--json") { Description = "Print one JSON object (eigenvalues, residuals, trace, density, gauss_newton, loss, gradient_norm) instead of the summary." };

    /// <summary>Builds the command.</summary>
    /// <param name="context">Writers and raw arguments.</param>
    public static Command Create(CliContext context)
    {
        var d = new NetSpectrumCommand();
        var command = new Command("spectrum", "Hessian spectrum of a TorchScript model at one point: top/bottom eigenvalues, trace, density, Gauss-Newton top eigenvalue, loss and gradient norm.");
        foreach (Option option in new Option[]
        {
            d._torchscript, d._run, d._data, d._inputsName, d._targetsName, d._dataset, d._dataDir, d._classes, d._inputShape, d._loss, d._measureSize,
            d._dtype, d._batchSize, d._topK, d._bottomK, d._tolerance, d._maxMatvecs, d._noGaussNewton, d._trace, d._traceTolerance,
            d._traceMinProbes, d._traceMaxProbes, d._density, d._densityProbes, d._densitySteps, d._densitySigma, d._densityPoints,
            d._seed, d._threads, d._out, d._json, d._quiet,
        })
        {
            command.Options.Add(option);
        }

        command.SetAction(parse => d.Execute(parse, context));
        return command;
    }

    private int Execute(ParseResult parse, CliContext context)
    {
        SpectrumOptions options = Options(parse);
        RunFolder? output = parse.GetValue(_out) is { } dir ? SpectrumWriter.Prepare(dir.FullName, options) : null;
        using TrainedRun? run = parse.GetValue(_run) is { } runFolder ? OpenRun(parse, runFolder, context) : null;
        if (run is not null)
        {
            options = options with
            {
                Model = run.Model,
                Data = run.Train,
                Loss = AnalysisOptions.IsGiven(parse, _loss) ? options.Loss : run.Settings.Trainer.Loss,
                MeasureSize = parse.GetValue(_measureSize) ?? run.Settings.Trainer.Tracking?.MeasurementExamples ?? 5000,
            };
        }

        options.Validate();
        SpectrumResult result = CommandProgress.Run(context, parse.GetValue(_quiet), progress => SpectrumExperiment.Run(options, progress.Progress, progress.Cancellation));
        JsonObject summary = SpectrumWriter.Summary(result);
        if (output is not null)
        {
            SpectrumWriter.Write(output, result, context.Arguments, run?.Provenance);
        }

        if (parse.GetValue(_json))
        {
            summary["out"] = output?.Path;
            context.Output.WriteLine(summary.ToJsonString(JsonOutput.Options));
            return ExitCodes.Success;
        }

        string G(double x) => x.ToString("G6", CultureInfo.InvariantCulture);
        string Values(SpectrumEnd end) => string.Join(", ", end.Eigenvalues.Select((v, i) => $"{G(v)} (residual {end.Residuals[i]:G2})"));
        context.Output.WriteLine($"{options.TorchScriptFile ?? run!.Folder}: P = {result.Parameters} parameters, N = {result.Examples} examples, loss {result.Loss.Name} ({result.Loss.Convention})");
        context.Output.WriteLine($"loss {G(result.LossValue)}, gradient norm {G(result.GradientNorm)}");
        context.Output.WriteLine($"Hessian top eigenvalues: {Values(result.Top)}; {result.Top.Matvecs} products{(result.Top.Converged ? string.Empty : ", NOT converged")}");
        if (result.Bottom is { } bottom)
        {
            context.Output.WriteLine($"Hessian bottom eigenvalues: {Values(bottom)}; {bottom.Matvecs} products{(bottom.Converged ? string.Empty : ", NOT converged")}");
        }

        if (result.GaussNewton is { } gn)
        {
            context.Output.WriteLine($"Gauss-Newton (NTK) top eigenvalue: {Values(gn)}; {gn.Matvecs} products{(gn.Converged ? string.Empty : ", NOT converged")}");
        }

        if (result.Trace is { } trace)
        {
            TraceEstimate t = trace.Estimate;
            context.Output.WriteLine($"trace (Hutchinson): {G(t.Estimate)} ± {G(t.StandardError)} (standard error), {t.Probes} probes{(t.Converged ? string.Empty : ", tolerance NOT reached")}");
        }

        if (result.Density is { } density)
        {
            context.Output.WriteLine($"density (SLQ): {density.Estimate.Rules.Count} probe(s) × {options.Density!.Steps} steps, nodes in [{G(density.Estimate.MinimumNode)}, {G(density.Estimate.MaximumNode)}], sigma {G(density.Broadening)}");
        }

        context.Output.WriteLine(output is null ? $"{result.HessianProducts} Hessian-vector products in {result.Time.Seconds:F1} s" : $"wrote the results and manifest.json in {output.Path}");
        return ExitCodes.Success;
    }

    private TrainedRun OpenRun(ParseResult parse, DirectoryInfo folder, CliContext context)
    {
        foreach (Option option in new Option[] { _torchscript, _data, _dataset, _inputShape })
        {
            if (AnalysisOptions.IsGiven(parse, option))
            {
                throw new UsageException(option.Name, "excludes --run (the run brings its network and data).");
            }
        }

        var run = TrainedRun.Open(folder.FullName, TrainedRunSettings.Read);
        context.Error.WriteLine(FormattableString.Invariant($"net spectrum: the {run.Provenance["run_model"]} network of {folder.FullName} at its checkpoint (final loss {run.RecomputedLoss:G6}, as recorded)"));
        return run;
    }

    private SpectrumOptions Options(ParseResult parse)
    {
        string? dataset = parse.GetValue(_dataset)?.ToLowerInvariant();
        if (dataset is not (null or "fashion-mnist" or "mnist" or "cifar10" or "synthetic"))
        {
            throw new UsageException("--dataset", $"expected fashion-mnist, mnist, cifar10 or synthetic, got '{dataset}'.");
        }

        int? measureSize = parse.GetValue(_measureSize) ?? (dataset is null ? null : 5000);
        ulong seed = parse.GetValue(_seed);
        return new SpectrumOptions
        {
            TorchScriptFile = parse.GetValue(_torchscript)?.FullName,
            DataFile = parse.GetValue(_data)?.FullName,
            InputsName = parse.GetValue(_inputsName)!,
            TargetsName = parse.GetValue(_targetsName)!,
            ImageDataset = dataset is null or "synthetic" ? null : new ImageDatasetOptions
            {
                Kind = dataset switch { "mnist" => ImageDatasetKind.Mnist, "cifar10" => ImageDatasetKind.Cifar10, _ => ImageDatasetKind.FashionMnist },
                Directory = parse.GetValue(_dataDir)?.FullName,
                Classes = NetworkNames.ParseClasses(parse.GetValue(_classes)),
            },
            SyntheticDataset = dataset == "synthetic" ? new SyntheticDataOptions { InputDimension = 20, OutputDimension = 3, Classification = true, Seed = seed } : null,
            InputShape = parse.GetValue(_inputShape) is { } shape ? NetworkNames.ParseIntList(shape, 1, "--input-shape") : null,
            Loss = NetworkNames.ParseLoss(parse.GetValue(_loss)!),
            MeasureSize = measureSize,
            Precision = NetworkNames.ParseDType(parse.GetValue(_dtype)!, "--dtype"),
            BatchSize = parse.GetValue(_batchSize),
            TopK = parse.GetValue(_topK),
            BottomK = parse.GetValue(_bottomK),
            Tolerance = parse.GetValue(_tolerance),
            MaxMatvecs = parse.GetValue(_maxMatvecs),
            GaussNewton = !parse.GetValue(_noGaussNewton),
            Trace = parse.GetValue(_trace)
                ? new HutchinsonOptions { RelativeTolerance = parse.GetValue(_traceTolerance), MinProbes = parse.GetValue(_traceMinProbes), MaxProbes = parse.GetValue(_traceMaxProbes), Seed = seed }
                : null,
            Density = parse.GetValue(_density) ? new SlqOptions { Probes = parse.GetValue(_densityProbes), Steps = parse.GetValue(_densitySteps), Seed = seed } : null,
            DensityBroadening = parse.GetValue(_densitySigma),
            DensityPoints = parse.GetValue(_densityPoints),
            Seed = seed,
            Threads = parse.GetValue(_threads),
        };
    }
}
