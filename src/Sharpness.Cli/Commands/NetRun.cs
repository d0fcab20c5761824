using System.Globalization;
using System.Text.Json.Nodes;
using Sharpness.Cli.Figures;
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
