using System.Globalization;
using System.Text.Json.Nodes;
using Sharpness.Experiments.Runs;
using Sharpness.Nets.Checkpoints;
using Sharpness.Nets.Models;
using Sharpness.Nets.Training;
using Sharpness.Nets.Parameters;
using Sharpness.Runs;
using Sharpness.Runs.Limits;

namespace Sharpness.Experiments.Nets;

/// <summary>Which weights a run saves: the listed steps and/or the final weights.</summary>
/// <param name="Steps">Steps t ≥ 0, ascending: θ_t is saved as model-step-t.safetensors.</param>
/// <param name="Final">Whether the final weights are saved as model.safetensors.</param>
public sealed record CheckpointPlan(IReadOnlyList<int> Steps, bool Final)
{
    /// <summary>The description of the saved weights.</summary>
    public const string DescriptionFile = "model.json";

    /// <summary>The final weights.</summary>
    public const string FinalFile = "model.safetensors";

    /// <summary>Parses <c>--checkpoint-steps</c> (steps t ≥ 0 and/or final, comma-separated) with <c>--checkpoint</c>.</summary>
    /// <param name="steps">The list, or null when not given.</param>
    /// <param name="saveFinal">Whether the final weights are asked for (<c>--checkpoint</c>).</param>
    /// <exception cref="InvalidOptionException">The list is empty or holds something else (<c>--checkpoint-steps</c>).</exception>
    public static CheckpointPlan Parse(string? steps, bool saveFinal)
    {
        bool final = saveFinal;
        var chosen = new SortedSet<int>();
        if (steps is { } text)
        {
            string[] parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0)
            {
                throw new InvalidOptionException("--checkpoint-steps", "expected a comma-separated list of steps and/or final, got nothing.");
            }

            foreach (string part in parts)
            {
                if (string.Equals(part, "final", StringComparison.OrdinalIgnoreCase))
                {
                    final = true;
                }
                else if (int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out int step) && step >= 0)
                {
                    chosen.Add(step);
                }
                else
                {
                    throw new InvalidOptionException("--checkpoint-steps", $"expected steps (integers >= 0) or final, got '{part}'.");
                }
            }
        }

        return new CheckpointPlan([.. chosen], final);
    }

    /// <summary>A plan that saves nothing.</summary>
    public static CheckpointPlan None { get; } = new([], false);

    /// <summary>No checkpoint at all.</summary>
    public bool IsEmpty => Steps.Count == 0 && !Final;

    /// <summary>Every file the plan may write.</summary>
    public IReadOnlyList<string> Files => IsEmpty ? [] : [.. Steps.Select(FileName), .. Final ? new[] { FinalFile } : [], DescriptionFile];

    /// <summary>The file of step <paramref name="step"/>'s weights.</summary>
    public static string FileName(int step) => FormattableString.Invariant($"model-step-{step}.safetensors");

    /// <summary>
    /// Refuses, before training, runs whose files would not fit the free space where
    /// <paramref name="folder"/> is (<see cref="ResourceLimits.RequireDisk"/>: an
    /// <see cref="Sharpness.Runs.Safety.EnvironmentException"/>, exit code 3 on the command line): the
    /// plan's checkpoints within the step budget at the model's size (<see cref="Safetensors.EstimatedBytes"/>;
    /// a TorchScript module's final checkpoint counts twice, its state and model.pt), metrics.csv
    /// (<see cref="NetworkSize.MetricsBytes"/>) and the other files, for each of <paramref name="runs"/> runs.
    /// </summary>
    /// <param name="folder">The run folder.</param>
    /// <param name="model">The model, built.</param>
    /// <param name="config">The trainer settings (the step budget).</param>
    /// <param name="topK">Eigenvalues per measurement (columns of metrics.csv).</param>
    /// <param name="runs">Runs of this size still to write (net eos: the learning rates to come).</param>
    public void RequireDisk(string folder, NetworkModule model, TrainerConfig config, int topK, int runs = 1)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(config);
        int saved = Steps.Count(s => s <= config.MaxSteps) + (Final ? (model is TorchScriptNetwork ? 2 : 1) : 0);
        double checkpoint = Safetensors.EstimatedBytes(model);
        double metrics = NetworkSize.MetricsBytes(config.MaxSteps + 1.0, 16.0 + Math.Max(topK, 1));
        double bytes = runs * ((saved * checkpoint) + metrics + NetworkSize.RunFilesBytes);
        string each = runs > 1 ? $" for each of {runs} runs" : string.Empty;
        string size = $"metrics.csv of {config.MaxSteps + 1.0:N0} rows";
        if (saved > 0)
        {
            string option = Steps.Count > 0 ? "--checkpoint-steps" : "--checkpoint";
            string checkpoints = $"{saved} checkpoint{(saved == 1 ? string.Empty : "s")} of about {ResourceLimits.Bytes(checkpoint)} ({ParameterVector.Count(model):N0} parameters in {model.DType.ToString().ToLowerInvariant()})";
            ResourceLimits.RequireDisk(option, $"{checkpoints} and {size}{each}", bytes, folder, "the run's files");
        }
        else
        {
            ResourceLimits.RequireDisk("--steps", $"{size}{each}", bytes, folder, "the run's files");
        }
    }
}

/// <summary>
/// Saves the weights of a plan while a run trains (as a step callback: the model then holds θ_t) and at
/// its end, and writes model.json: the model's description (<see cref="ModelDescription"/>), the data
/// preprocessing and which file holds which step.
/// </summary>
public sealed class CheckpointWriter(RunFolder output, NetworkModule model, CheckpointPlan plan)
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
