using System.CommandLine;
using Sharpness.Experiments.Nets;

namespace Sharpness.Cli.Commands;

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

    /// <summary>The plan the options ask for; a bad list throws <see cref="Sharpness.Experiments.InvalidOptionException"/> naming --checkpoint-steps.</summary>
    public CheckpointPlan Resolve(ParseResult parse) => CheckpointPlan.Parse(parse.GetValue(Steps), parse.GetValue(Final));
}
