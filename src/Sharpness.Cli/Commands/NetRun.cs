using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Sharpness.Experiments.Nets;
using Sharpness.Nets.Checkpoints;
using Sharpness.Nets.Models;
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
    public const string MetricsFile = NetTrainWriter.MetricsFile;

    /// <summary>The files <see cref="WriteMetrics"/> and <see cref="WriteFigures"/> write.</summary>
    public static readonly string[] Files = [MetricsFile, .. NetTrainWriter.FigureFiles];

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

    /// <summary>Writes metrics.csv: one row per step, the sharpness columns where measured (NaN elsewhere).</summary>
    public static void WriteMetrics(RunOutput output, TrainingResult result, int topK) => NetTrainWriter.WriteMetrics(output.Folder, result, topK);

    /// <summary>
    /// Writes sharpness.png (λ_H with 2/η, loss below) and lr_sharpness.png/.svg (η λ_H against step),
    /// drawn from the metrics.csv already written (as <c>sharpness plot</c> redraws them).
    /// </summary>
    public static IReadOnlyList<string> WriteFigures(RunOutput output, JsonObject configuration, JsonObject results) =>
        output.WriteFigures(NetTrainFigures.Render(SavedRun.Writing(output.Path, "net train", configuration, results)));

    /// <summary>The manifest's results of a training run.</summary>
    public static JsonObject Results(TrainingResult result) => NetTrainExperiment.Results(result);
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
