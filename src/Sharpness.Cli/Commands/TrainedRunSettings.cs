using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Sharpness.Experiments.Nets;

namespace Sharpness.Cli.Commands;

/// <summary>
/// Reads a <c>net train</c> run's settings back for <see cref="TrainedRun.Open"/>: every key of the manifest's
/// configuration goes to the option of <c>net train</c> whose name it carries (<c>train_size</c> → <c>--train-size</c>,
/// <c>bias: false</c> → <c>--no-bias</c>), so new options of <c>net train</c> are read back without changes here.
/// </summary>
internal static class TrainedRunSettings
{
    // Keys that are results, descriptions or process settings rather than options that decide the network and data.
    private static readonly HashSet<string> Skipped = new(StringComparer.Ordinal)
    {
        "preset", "lr", "lr_constant", "blas", "threads", "torchscript", "model",
    };

    /// <summary>The settings of the run in <paramref name="folder"/>, from its manifest's configuration.</summary>
    /// <param name="folder">The run folder.</param>
    /// <param name="configuration">Its manifest's configuration.</param>
    /// <exception cref="Sharpness.Experiments.InvalidOptionException">They cannot be read back or used (<c>--run</c>).</exception>
    public static NetworkSettings Read(string folder, JsonObject configuration)
    {
        var net = new NetOptions();
        var command = new Command("train");
        net.Add(command);
        net.TorchScript.Add(command);
        var arguments = new List<string>();
        bool torchScript = configuration["model"]?.GetValue<string>() == "torchscript";
        if (torchScript)
        {
            arguments.AddRange(["--torchscript", Path.Combine(folder, "model.pt")]);
        }

        foreach (var (key, value) in configuration)
        {
            string name = "--" + key.Replace('_', '-');
            if (value is null || Skipped.Contains(key) || (key == "dataset" && configuration["data"] is not null))
            {
                continue;
            }

            if (key == "bias" && value.GetValueKind() == JsonValueKind.False)
            {
                arguments.Add("--no-bias");
                continue;
            }

            if (command.Options.FirstOrDefault(o => o.Name == name) is not { } option)
            {
                continue;
            }

            switch (value.GetValueKind())
            {
                case JsonValueKind.True when option is Option<bool>:
                    arguments.Add(name);
                    break;
                case JsonValueKind.String:
                    arguments.AddRange([name, value.GetValue<string>()]);
                    break;
                case JsonValueKind.Number:
                    arguments.AddRange([name, value.GetValue<double>().ToString("R", CultureInfo.InvariantCulture)]);
                    break;
            }
        }

        ParseResult parse = command.Parse(arguments);
        if (parse.Errors.Count > 0)
        {
            throw new Sharpness.Experiments.InvalidOptionException(TrainedRun.Option, $"the settings of '{folder}' cannot be read back ({parse.Errors[0].Message}).");
        }

        try
        {
            return net.Resolve(parse);
        }
        catch (Sharpness.Experiments.InvalidOptionException e)
        {
            throw new Sharpness.Experiments.InvalidOptionException(TrainedRun.Option, $"the settings of '{folder}' cannot be used ({e.Option}: {e.Message})");
        }
    }
}
