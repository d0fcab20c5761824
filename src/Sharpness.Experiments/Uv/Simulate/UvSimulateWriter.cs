using System.Text.Json.Nodes;
using Sharpness.Experiments.Runs;
using Sharpness.Runs;
using Sharpness.Uv.Simulation;

namespace Sharpness.Experiments.Uv;

/// <summary>
/// Writes a <see cref="UvSimulateResult"/> as a run folder: trajectory.csv (one row per step),
/// trajectory.png (drawn from the CSV just written, as <c>sharpness plot</c> redraws it) and
/// manifest.json, last.
/// </summary>
public static class UvSimulateWriter
{
    /// <summary>The table with one row per step.</summary>
    public const string TrajectoryFile = "trajectory.csv";

    /// <summary>The figure of the sharpness and loss against step.</summary>
    public const string FigureFile = "trajectory.png";

    /// <summary>Columns of <see cref="TrajectoryFile"/>.</summary>
    public static readonly IReadOnlyList<string> TrajectoryColumns = ["step", "loss", "f", "residual", "ntk", "sharpness", "lr_ntk", "lr_sharpness", "q"];

    /// <summary>The files of a run besides the manifest.</summary>
    public static IReadOnlyList<string> Files { get; } = [TrajectoryFile, FigureFile];

    /// <summary>Checks that <paramref name="path"/> can take the run, before it starts.</summary>
    /// <param name="path">The run folder (new or empty).</param>
    /// <exception cref="InvalidOptionException">It cannot (<c>--out</c>).</exception>
    public static RunFolder Prepare(string path) => RunFolder.Prepare(path, [.. Files]);

    /// <summary>Writes the run's files and its manifest; returns the files besides the manifest.</summary>
    /// <param name="folder">The folder <see cref="Prepare"/> accepted.</param>
    /// <param name="result">The run.</param>
    /// <param name="arguments">The command-line arguments the manifest records (none for a run from code).</param>
    public static IReadOnlyList<string> Write(RunFolder folder, UvSimulateResult result, IReadOnlyList<string>? arguments = null)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(result);
        var configuration = Configuration(result);
        var summary = Results(result);
        folder.WriteCsv(TrajectoryFile, TrajectoryColumns, writer =>
        {
            foreach (var r in result.Run.Records)
            {
                writer.WriteRow([r.Step, r.Loss, r.Output, r.Residual, r.Ntk, r.Sharpness, r.LrNtk, r.LrSharpness, r.Q]);
            }
        });
        folder.WriteFigures(UvSimulateFigures.Render(SavedRun.Writing(folder.Path, UvSimulateExperiment.Command, configuration, summary)));
        folder.Complete(new RunRecord(UvSimulateExperiment.Command, arguments ?? [], configuration, result.Model.Seed, result.StartedUtc, summary), Files);
        return Files;
    }

    /// <summary>The complete effective configuration, as the manifest records it.</summary>
    /// <param name="result">The run.</param>
    public static JsonObject Configuration(UvSimulateResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var training = result.Training;
        var configuration = result.Options.Model.ToJson(result.Model);
        configuration["lr"] = result.Run.LearningRate;
        configuration["lr_constant"] = training.LearningRate.IsRelativeToInitialSharpness ? training.LearningRate.Value : null;
        configuration["lr_source"] = result.Options.LrSource;
        configuration["weight_decay"] = training.WeightDecay;
        configuration["steps"] = training.Steps;
        configuration["divergence_threshold"] = training.DivergenceThreshold;
        configuration["loss"] = "0.5*(f-y)^2";
        configuration["sharpness"] = "top eigenvalue of the Hessian of the data loss (closed form)";
        return configuration;
    }

    /// <summary>The summary results, as the manifest records them.</summary>
    /// <param name="result">The run.</param>
    public static JsonObject Results(UvSimulateResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var run = result.Run;
        var first = run.Records[0];
        var last = run.Records[^1];
        return new JsonObject
        {
            ["steps_completed"] = run.StepsCompleted,
            ["learning_rate"] = run.LearningRate,
            ["critical_learning_rate"] = JsonOutput.Number(Sharpness.Uv.Dynamics.UvSharpness.CriticalLearningRate(run.Target, run.Normaliser)),
            ["r"] = run.ScaledTarget,
            ["x0"] = first.LrNtk,
            ["g0"] = run.LearningRate * first.Output / run.Normaliser,
            ["initial"] = RecordJson(first),
            ["final"] = RecordJson(last),
            ["labels"] = new JsonArray(run.Regimes.Labels.Select(l => (JsonNode?)JsonValue.Create(l)).ToArray()),
            ["ntk_labels"] = new JsonArray(run.Regimes.NtkLabels.Select(l => (JsonNode?)JsonValue.Create(l)).ToArray()),
            ["outcome"] = run.Regimes.Outcome.ToString().ToLowerInvariant(),
            ["period"] = run.Regimes.Period,
            ["lyapunov_exponent"] = JsonOutput.Number(run.Regimes.LyapunovExponent),
            ["lyapunov_uncertainty"] = JsonOutput.Number(run.Regimes.LyapunovUncertainty),
            ["diverged"] = run.Diverged,
            ["diverged_at_step"] = run.DivergedAtStep,
        };
    }

    private static JsonObject RecordJson(UvStepRecord r) => new()
    {
        ["step"] = r.Step,
        ["loss"] = JsonOutput.Number(r.Loss),
        ["f"] = JsonOutput.Number(r.Output),
        ["residual"] = JsonOutput.Number(r.Residual),
        ["ntk"] = JsonOutput.Number(r.Ntk),
        ["sharpness"] = JsonOutput.Number(r.Sharpness),
        ["lr_ntk"] = JsonOutput.Number(r.LrNtk),
        ["lr_sharpness"] = JsonOutput.Number(r.LrSharpness),
        ["q"] = JsonOutput.Number(r.Q),
    };
}
