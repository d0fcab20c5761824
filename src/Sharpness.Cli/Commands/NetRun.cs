using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Sharpness.Cli.Figures;
using Sharpness.Nets.Checkpoints;
using Sharpness.Nets.Models;
using Sharpness.Nets.Parameters;
using Sharpness.Nets.Training;
using Sharpness.Plots;
using Sharpness.Runs;
using Spectre.Console;

namespace Sharpness.Cli.Commands;

/// <summary>
/// What every <c>sharpness net</c> command does with one training run: trains with progress (a bar on
/// a terminal, plain lines when standard error is redirected), and writes metrics.csv and the
/// sharpness figures of a run folder.
/// </summary>
internal static class NetRun
{
    /// <summary>The per-step table of a training run.</summary>
    public const string MetricsFile = "metrics.csv";

    /// <summary>The files <see cref="WriteMetrics"/> and <see cref="WriteFigures"/> write.</summary>
    public static readonly string[] Files = [MetricsFile, "sharpness.png", "lr_sharpness.png", "lr_sharpness.svg"];

    /// <summary>
    /// Trains <paramref name="model"/>, reporting progress on standard error prefixed by
    /// <paramref name="label"/>; <paramref name="onStep"/> sees every record.
    /// </summary>
    public static TrainingResult Train(
        NetworkModule model,
        TrainerConfig config,
        ExampleSet train,
        ExampleSet? test,
        CliContext context,
        string label,
        Action<TrainingStepRecord>? onStep = null)
    {
        int steps = config.MaxSteps;
        int progressEvery = Math.Max(1, steps / 20);
        SharpnessMeasurement? last = null;
        int measuredAt = 0;
        string prefix = label.Length == 0 ? string.Empty : label + ": ";
        void Record(TrainingStepRecord record, Action<string>? status)
        {
            onStep?.Invoke(record);
            if (record.Measurement is { } m)
            {
                last = m;
                measuredAt = record.Step;
            }

            // The sharpness is measured every few steps; between measurements the line says when it was measured.
            string sharpness = last is null ? string.Empty : FormattableString.Invariant(
                $", sharpness {last.Sharpness:G5}{(measuredAt == record.Step ? string.Empty : $" (at step {measuredAt})")}, 2/eta = {last.Threshold:G5}");
            string line = prefix + FormattableString.Invariant($"step {record.Step}/{steps}: loss {record.Loss:G5}, accuracy {record.Accuracy:F4}") + sharpness;
            if (status is not null)
            {
                status(line);
            }
            else if (record.Step % progressEvery == 0)
            {
                context.Error.WriteLine(line);
            }
        }

        if (Console.IsErrorRedirected || !ReferenceEquals(context.Error, Console.Error))
        {
            return Trainer.Run(model, config, train, test, record => Record(record, null));
        }

        // On a terminal: a progress bar with elapsed and remaining time, drawn on standard error
        // so that standard output stays clean for --json.
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        TrainingResult? finished = null;
        console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(progress =>
            {
                var task = progress.AddTask(label.Length == 0 ? "training" : Markup.Escape(label), maxValue: Math.Max(1, steps));
                finished = Trainer.Run(model, config, train, test, record => Record(record, line =>
                {
                    task.Value = record.Step;
                    task.Description = Markup.Escape(line);
                }));
                task.Value = task.MaxValue;
            });
        return finished!;
    }

    /// <summary>
    /// Refuses, before training, runs whose files would not fit the free space where
    /// <paramref name="folder"/> is (exit code 3, <see cref="Runs.Limits.ResourceLimits.RequireDisk"/>):
    /// the checkpoints of <paramref name="plan"/> within the step budget at the model's size
    /// (<see cref="Safetensors.EstimatedBytes"/>; a TorchScript module's final checkpoint counts twice,
    /// its state and model.pt), metrics.csv (<see cref="NetworkSize.MetricsBytes"/>) and the other
    /// files, for each of <paramref name="runs"/> runs.
    /// </summary>
    public static void RequireDisk(string folder, NetworkModule model, CheckpointPlan plan, TrainerConfig config, int topK, int runs = 1)
    {
        int saved = plan.Steps.Count(s => s <= config.MaxSteps) + (plan.Final ? (model is TorchScriptNetwork ? 2 : 1) : 0);
        double checkpoint = Safetensors.EstimatedBytes(model);
        double metrics = NetworkSize.MetricsBytes(config.MaxSteps + 1.0, 16.0 + Math.Max(topK, 1));
        double bytes = runs * ((saved * checkpoint) + metrics + NetworkSize.RunFilesBytes);
        string each = runs > 1 ? $" for each of {runs} runs" : string.Empty;
        string size = $"metrics.csv of {config.MaxSteps + 1.0:N0} rows";
        if (saved > 0)
        {
            string option = plan.Steps.Count > 0 ? "--checkpoint-steps" : "--checkpoint";
            string checkpoints = $"{Words.Count(saved, "checkpoint")} of about {Runs.Limits.ResourceLimits.Bytes(checkpoint)} ({ParameterVector.Count(model):N0} parameters in {model.DType.ToString().ToLowerInvariant()})";
            Runs.Limits.ResourceLimits.RequireDisk(option, $"{checkpoints} and {size}{each}", bytes, folder, "the run's files");
        }
        else
        {
            Runs.Limits.ResourceLimits.RequireDisk("--steps", $"{size}{each}", bytes, folder, "the run's files");
        }
    }

    /// <summary>Writes metrics.csv: one row per step, the sharpness columns where measured (NaN elsewhere).</summary>
    public static void WriteMetrics(RunOutput output, TrainingResult result, int topK)
    {
        var columns = new List<string> { "step", "loss", "accuracy", "lr", "sharpness", "threshold", "residual", "matvecs", "converged", "lr_sharpness", "f_norm", "f_dot_y", "y_norm", "train_loss", "train_accuracy", "test_loss", "test_accuracy" };
        columns.AddRange(Enumerable.Range(2, Math.Max(0, topK - 1)).Select(k => $"eigenvalue{k}"));
        output.WriteCsv(MetricsFile, columns, writer =>
        {
            var row = new double[columns.Count];
            foreach (var r in result.Records)
            {
                var m = r.Measurement;
                row[0] = r.Step;
                row[1] = r.Loss;
                row[2] = r.Accuracy;
                row[3] = r.LearningRate;
                row[4] = r.Sharpness;
                row[5] = r.Threshold;
                row[6] = r.Residual;
                row[7] = r.Matvecs ?? double.NaN;
                row[8] = r.Converged is bool converged ? (converged ? 1 : 0) : double.NaN;
                row[9] = m is null ? double.NaN : result.LearningRate * m.Sharpness;
                row[10] = m?.OutputNorm ?? double.NaN;
                row[11] = m?.OutputTargetInnerProduct ?? double.NaN;
                row[12] = m?.TargetNorm ?? double.NaN;
                row[13] = m?.TrainLoss ?? double.NaN;
                row[14] = m?.TrainAccuracy ?? double.NaN;
                row[15] = m?.TestLoss ?? double.NaN;
                row[16] = m?.TestAccuracy ?? double.NaN;
                for (int k = 1; k < topK; k++)
                {
                    row[16 + k] = m is not null && k < m.Eigenvalues.Count ? m.Eigenvalues[k] : double.NaN;
                }

                writer.WriteRow(row);
            }
        });
    }

    /// <summary>
    /// Writes sharpness.png (λ_H with 2/η, loss below) and lr_sharpness.png/.svg (η λ_H against step),
    /// drawn from the metrics.csv already written (as <c>sharpness plot</c> redraws them).
    /// </summary>
    public static IReadOnlyList<string> WriteFigures(RunOutput output, JsonObject configuration, JsonObject results) =>
        output.WriteFigures(NetTrainFigures.Render(SavedRun.Writing(output.Path, "net train", configuration, results)));

    /// <summary>The manifest's results of a training run.</summary>
    public static JsonObject Results(TrainingResult result)
    {
        var last = result.Records[^1];
        var lastMeasurement = result.Measurements.Count > 0 ? result.Measurements[^1] : null;
        return new JsonObject
        {
            ["steps_completed"] = result.StepsCompleted,
            ["stop_reason"] = result.StopReason.ToString(),
            ["diverged"] = result.Diverged,
            ["diverged_at_step"] = result.DivergedAtStep,
            ["learning_rate"] = result.LearningRate,
            ["threshold"] = lastMeasurement?.Threshold is double th ? JsonOutput.Number(th) : null,
            ["initial_sharpness"] = JsonOutput.Number(result.InitialSharpness),
            ["final_loss"] = JsonOutput.Number(last.Loss),
            ["final_accuracy"] = JsonOutput.Number(last.Accuracy),
            ["final_sharpness"] = JsonOutput.Number(lastMeasurement?.Sharpness),
            ["measurements"] = result.Measurements.Count,
            ["matvecs"] = result.Measurements.Sum(m => m.Matvecs),
        };
    }
}

/// <summary>
/// The checkpoint options of the commands that train one network per run folder (<c>--checkpoint</c>,
/// <c>--checkpoint-steps</c>).
/// </summary>
internal sealed class CheckpointOptions
{
    public readonly Option<bool> Final = new("--checkpoint") { Description = "Save the final weights as model.safetensors, with the model, its initialisation and the data preprocessing in model.json (same as --checkpoint-steps final). With --torchscript (net train): every parameter and buffer under the module's own names, and the trained module as model.pt." };
    public readonly Option<string?> Steps = new("--checkpoint-steps") { Description = "Comma-separated steps whose weights to save, e.g. 0,100,final: step t as model-step-t.safetensors (the weights at which row t of metrics.csv was measured), final as model.safetensors; model.json describes them. Steps after the run's end are skipped." };

    /// <summary>Both options.</summary>
    public IEnumerable<Option> All => [Final, Steps];

    /// <summary>The plan the options ask for; a bad list throws <see cref="UsageException"/>.</summary>
    public CheckpointPlan Resolve(ParseResult parse)
    {
        bool final = parse.GetValue(Final);
        var steps = new SortedSet<int>();
        if (parse.GetValue(Steps) is { } text)
        {
            string[] parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0)
            {
                throw new UsageException("--checkpoint-steps", "expected a comma-separated list of steps and/or final, got nothing.");
            }

            foreach (string part in parts)
            {
                if (string.Equals(part, "final", StringComparison.OrdinalIgnoreCase))
                {
                    final = true;
                }
                else if (int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out int step) && step >= 0)
                {
                    steps.Add(step);
                }
                else
                {
                    throw new UsageException("--checkpoint-steps", $"expected steps (integers >= 0) or final, got '{part}'.");
                }
            }
        }

        return new CheckpointPlan([.. steps], final);
    }
}

/// <summary>Which weights a run saves: the listed steps and/or the final weights.</summary>
/// <param name="Steps">Steps t ≥ 0, ascending: θ_t is saved as model-step-t.safetensors.</param>
/// <param name="Final">Whether the final weights are saved as model.safetensors.</param>
internal sealed record CheckpointPlan(IReadOnlyList<int> Steps, bool Final)
{
    /// <summary>The description of the saved weights.</summary>
    public const string DescriptionFile = "model.json";

    /// <summary>The final weights.</summary>
    public const string FinalFile = "model.safetensors";

    /// <summary>No checkpoint at all.</summary>
    public bool IsEmpty => Steps.Count == 0 && !Final;

    /// <summary>Every file the plan may write.</summary>
    public IReadOnlyList<string> Files => IsEmpty ? [] : [.. Steps.Select(FileName), .. Final ? new[] { FinalFile } : [], DescriptionFile];

    /// <summary>The file of step <paramref name="step"/>'s weights.</summary>
    public static string FileName(int step) => FormattableString.Invariant($"model-step-{step}.safetensors");
}

/// <summary>
/// Saves the weights of a plan while a run trains (as a step callback: the model then holds θ_t) and at
/// its end, and writes model.json: the model's description (<see cref="ModelDescription"/>), the data
/// preprocessing and which file holds which step.
/// </summary>
internal sealed class CheckpointWriter(RunOutput output, NetworkModule model, CheckpointPlan plan)
{
    private readonly JsonObject _files = new();

    /// <summary>Saves θ_t when step t is in the plan.</summary>
    public void OnStep(TrainingStepRecord record)
    {
        if (plan.Steps.Contains(record.Step))
        {
            Save(CheckpointPlan.FileName(record.Step), record.Step);
        }
    }

    /// <summary>Saves the final weights (when planned) and model.json; returns the files written, in order.</summary>
    /// <param name="result">The finished run.</param>
    /// <param name="data">The data preprocessing, for model.json.</param>
    public IReadOnlyList<string> Finish(TrainingResult result, JsonObject data)
    {
        if (plan.IsEmpty)
        {
            return [];
        }

        if (plan.Final)
        {
            Save(CheckpointPlan.FinalFile, result.Records[^1].Step);
        }

        var description = ModelDescription.Describe(model);
        description["data"] = data;
        description["checkpoints"] = _files.DeepClone();
        output.WriteText(CheckpointPlan.DescriptionFile, description.ToJsonString(JsonOutput.Options) + "\n");
        return [.. _files.Select(f => f.Key), CheckpointPlan.DescriptionFile];
    }

    private void Save(string file, int step)
    {
        var description = ModelDescription.Describe(model);
        description["step"] = step;
        output.WriteBytes(file, Safetensors.Serialise(model, new Dictionary<string, string> { ["architecture"] = description.ToJsonString(JsonOutput.Options) }));
        _files[file] = step;
    }
}
