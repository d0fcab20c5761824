using System.CommandLine;
using Sharpness.Experiments.Nets;
using Sharpness.Nets.Data;

namespace Sharpness.Cli.Commands;

/// <summary>
/// The options that let <c>net train</c> and <c>net eos</c> train a user's TorchScript module instead of a built-in
/// model, on a data file or a toolkit dataset.
/// </summary>
internal sealed class NetTorchScriptOptions
{
    /// <summary>The options a model built from --model/--depth/... has and a TorchScript module does not.</summary>
    private static readonly string[] ArchitectureOptions = ["--model", "--depth", "--width", "--activation", "--no-bias", "--param", "--init", "--init-scale", "--zero-readout", "--output-multiplier", "--out-exp", "--pooling"];

    public readonly Option<FileInfo?> TorchScript = new("--torchscript") { Description = "Train this TorchScript module (torch.jit.script(model).save(path)) instead of --model; its parameters are the initial weights. Runs in evaluation mode (docs/torchscript.md)." };
    public readonly Option<FileInfo?> Data = new("--data") { Description = "With --torchscript: training examples from a safetensors file (tensors 'inputs' and 'targets') instead of --dataset." };
    public readonly Option<FileInfo?> TestData = new("--test-data") { Description = "With --data: test examples from a safetensors file with the same tensor names. Default: no test set." };
    public readonly Option<string> InputsName = new("--inputs-name") { Description = "Name of the inputs tensor in --data and --test-data.", DefaultValueFactory = _ => ExampleFile.DefaultInputsName };
    public readonly Option<string> TargetsName = new("--targets-name") { Description = "Name of the targets tensor in --data and --test-data.", DefaultValueFactory = _ => ExampleFile.DefaultTargetsName };
    public readonly Option<string?> InputShape = new("--input-shape") { Description = "With --torchscript: shape of one example as the module takes it, e.g. 1,28,28. Default: the data's." };

    /// <summary>Adds the options to a command that can train a TorchScript module.</summary>
    public void Add(Command command)
    {
        foreach (Option option in new Option[] { TorchScript, Data, TestData, InputsName, TargetsName, InputShape })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>The TorchScript source of the run, or null when --torchscript is not given (or the command lacks it).</summary>
    public TorchScriptSource? Resolve(ParseResult parse)
    {
        bool present = parse.CommandResult.Command.Options.Contains(TorchScript);
        FileInfo? file = present ? parse.GetValue(TorchScript) : null;
        FileInfo? data = present ? parse.GetValue(Data) : null;
        FileInfo? testData = present ? parse.GetValue(TestData) : null;
        if (file is null)
        {
            foreach (Option option in new Option[] { Data, TestData, InputShape })
            {
                if (present && AnalysisOptions.IsGiven(parse, option))
                {
                    throw new UsageException(option.Name, "needs --torchscript (the built-in models read the toolkit's datasets).");
                }
            }

            return null;
        }

        foreach (Option option in parse.CommandResult.Command.Options.Where(o => ArchitectureOptions.Contains(o.Name)))
        {
            if (AnalysisOptions.IsGiven(parse, option))
            {
                throw new UsageException(option.Name, "has no effect with --torchscript: the module defines the architecture and its initial weights.");
            }
        }

        if (testData is not null && data is null)
        {
            throw new UsageException("--test-data", "needs --data (the training examples from a file).");
        }

        foreach (string option in new[] { "--dataset", "--data-dir", "--classes", "--standardise" })
        {
            if (data is not null && parse.CommandResult.Command.Options.FirstOrDefault(o => o.Name == option) is { } given && AnalysisOptions.IsGiven(parse, given))
            {
                throw new UsageException(option, "excludes --data (the examples come from the file).");
            }
        }

        var source = TorchScriptSource.Read(
            file.FullName,
            data?.FullName,
            testData?.FullName,
            parse.GetValue(InputsName)!,
            parse.GetValue(TargetsName)!,
            null);
        return parse.GetValue(InputShape) is { } shape ? source with { InputShape = NetworkNames.ParseIntList(shape, 1, "--input-shape") } : source;
    }
}
