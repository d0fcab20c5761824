using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Sharpness.Nets.Checkpoints;
using Sharpness.Nets.Data;
using Sharpness.Nets.Models;
using Sharpness.Nets.Parameters;
using Sharpness.Runs;
using static TorchSharp.torch;

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

        byte[] content;
        try
        {
            content = Sharpness.Runs.Safety.BoundedFile.ReadAllBytes(file.FullName, Sharpness.Runs.Safety.FileKindLimit.Module);
        }
        catch (Sharpness.Runs.Safety.InputFileException e)
        {
            throw new UsageException("--torchscript", e.Message);
        }

        return new TorchScriptSource(
            file.FullName,
            content,
            data?.FullName,
            testData?.FullName,
            parse.GetValue(InputsName)!,
            parse.GetValue(TargetsName)!,
            parse.GetValue(InputShape) is { } shape ? NetOptions.ParseIntList(shape, 1, "--input-shape") : null);
    }
}

/// <summary>A user's TorchScript module and, optionally, the files its examples come from.</summary>
/// <param name="ModelFile">The TorchScript file.</param>
/// <param name="Content">Its bytes (read once; every copy of the module is loaded from them).</param>
/// <param name="DataFile">Training examples (safetensors), or null for the toolkit dataset of the settings.</param>
/// <param name="TestDataFile">Test examples (safetensors), or null.</param>
/// <param name="InputsName">Name of the inputs tensor.</param>
/// <param name="TargetsName">Name of the targets tensor.</param>
/// <param name="InputShape">Shape of one example as the module takes it, or null for the data's.</param>
internal sealed record TorchScriptSource(string ModelFile, byte[] Content, string? DataFile, string? TestDataFile, string InputsName, string TargetsName, int[]? InputShape)
{
    /// <summary>The files a checkpoint of a TorchScript run writes.</summary>
    public static readonly string[] CheckpointFiles = ["model.safetensors", "model.pt", "model.json"];

    private int[]? _fileShape;
    private string? _dataSha256;
    private string? _testDataSha256;

    /// <summary>The examples of <see cref="DataFile"/> (and <see cref="TestDataFile"/>), one-hot or class targets for a model with the given outputs.</summary>
    public DatasetSplits LoadData(NetSettings settings)
    {
        using ExampleFile train = Load(DataFile!, "--data");
        _fileShape = train.Inputs.shape.Skip(1).Select(d => (int)d).ToArray();
        _dataSha256 = train.Sha256;
        int outputs = Outputs(train.Inputs, settings.DType);
        Dataset trainSet = Fit(() => train.ToDataset(outputs, settings.DType, settings.TrainSize), "--data");
        if (TestDataFile is null)
        {
            return new DatasetSplits(trainSet, trainSet.Take(1));
        }

        using ExampleFile test = Load(TestDataFile, "--test-data");
        _testDataSha256 = test.Sha256;
        return new DatasetSplits(trainSet, Fit(() => test.ToDataset(outputs, settings.DType, Math.Max(settings.TestSize, 1)), "--test-data"));
    }

    /// <summary>The module in the run's type, checked on the first examples of <paramref name="train"/>.</summary>
    public NetworkModule BuildModel(NetSettings settings, Dataset train)
    {
        using var scope = NewDisposeScope();
        TorchScriptNetwork model = LoadModel(Sample(train.Inputs, train.ImageShape?.Dimensions), settings.DType);
        if (model.OutputDimension != train.OutputCount)
        {
            model.Dispose();
            throw new UsageException("--torchscript", $"{ModelFile}: the module returns {model.OutputDimension} output(s) per example but the data has {train.OutputCount} target value(s) per example.");
        }

        return model;
    }

    /// <summary>Adds the module's and the data's provenance to a run's configuration, and clears the built-in architecture's keys.</summary>
    public void Describe(JsonObject configuration)
    {
        foreach (string key in new[] { "depth", "width", "activation", "bias", "param", "init", "init_scale", "zero_readout", "output_multiplier", "out_exp", "pooling" })
        {
            if (configuration.ContainsKey(key))
            {
                configuration[key] = null;
            }
        }

        if (DataFile is not null && configuration.ContainsKey("standardise"))
        {
            configuration["standardise"] = null;
        }

        configuration["model"] = "torchscript";
        configuration["torchscript"] = ModelFile;
        configuration["torchscript_sha256"] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Content));
        configuration["torchscript_mode"] = "eval: batch norm uses the running statistics stored in the file and never updates them; dropout is off";
        if (DataFile is not null)
        {
            configuration["dataset"] = Path.GetFileName(DataFile);
            configuration["data"] = DataFile;
            configuration["data_sha256"] = _dataSha256;
            configuration["test_data"] = TestDataFile;
            configuration["test_data_sha256"] = _testDataSha256;
            configuration["inputs_name"] = InputsName;
            configuration["targets_name"] = TargetsName;
        }

        configuration["input_shape"] = InputShape is null ? null : string.Join(',', InputShape.Select(d => d.ToString(CultureInfo.InvariantCulture)));
    }

    /// <summary>
    /// Writes the trained module: model.safetensors (every parameter and buffer under the module's own names, as
    /// <c>state_dict()</c> has them, so <c>model.load_state_dict(safetensors.torch.load_file(...))</c> accepts it),
    /// model.pt (the module itself with the trained parameters, for <c>torch.jit.load</c>) and model.json.
    /// </summary>
    public IEnumerable<string> WriteCheckpoint(RunOutput output, TorchScriptNetwork model)
    {
        var state = model.StateTensors();
        var description = new JsonObject
        {
            ["model"] = "torchscript",
            ["source"] = ModelFile,
            ["source_sha256"] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Content)),
            ["dtype"] = model.DType.ToString().ToLowerInvariant(),
            ["input_shape"] = new JsonArray(model.InputShape.Select(d => (JsonNode?)JsonValue.Create(d)).ToArray()),
            ["output_dimension"] = model.OutputDimension,
            ["trained"] = new JsonArray(ParameterVector.Ordered(model).Select(p => (JsonNode?)JsonValue.Create(p.Name)).ToArray()),
            ["state"] = new JsonArray(state.Select(s => (JsonNode?)new JsonObject
            {
                ["name"] = s.Name,
                ["dtype"] = s.Value.dtype.ToString().ToLowerInvariant(),
                ["shape"] = new JsonArray(s.Value.shape.Select(d => (JsonNode?)JsonValue.Create(d)).ToArray()),
            }).ToArray()),
            ["note"] = "state = every parameter and buffer under the module's names; buffers (batch-norm running statistics) are those of the source file, unchanged by training in evaluation mode",
        };
        string json = description.ToJsonString(JsonOutput.Options);
        output.WriteBytes("model.safetensors", Safetensors.Serialise(state, new Dictionary<string, string> { ["format"] = "pt", ["source_sha256"] = description["source_sha256"]!.GetValue<string>() }));
        string temporary = Path.Combine(Path.GetTempPath(), $"sharpness-{Guid.NewGuid():N}.pt");
        try
        {
            model.Save(temporary);
            output.WriteBytes("model.pt", File.ReadAllBytes(temporary));
        }
        finally
        {
            File.Delete(temporary);
        }

        output.WriteText("model.json", json + "\n");
        return CheckpointFiles;
    }

    private TorchScriptNetwork LoadModel(Tensor sample, ScalarType dtype)
    {
        try
        {
            return TorchScriptNetwork.Load(Content, sample, dtype);
        }
        catch (TorchScriptException e)
        {
            throw new UsageException("--torchscript", $"{ModelFile}: {e.Message}");
        }
    }

    /// <summary>The module's output count, from a probe on the first examples.</summary>
    private int Outputs(Tensor inputs, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        using TorchScriptNetwork probe = LoadModel(Sample(inputs, null), dtype);
        return probe.OutputDimension;
    }

    /// <summary>The first two examples in the shape the module takes: --input-shape, else the file's or the dataset's image shape.</summary>
    private Tensor Sample(Tensor inputs, IReadOnlyList<int>? imageShape)
    {
        long n = Math.Min(2, inputs.shape[0]);
        long features = inputs.numel() / inputs.shape[0];
        IReadOnlyList<int> shape = InputShape ?? _fileShape ?? imageShape ?? [(int)features];
        long wanted = shape.Aggregate(1L, (a, b) => a * b);
        if (wanted != features)
        {
            throw new UsageException("--input-shape", $"[{string.Join(", ", shape)}] has {wanted} values per example but the data has {features}.");
        }

        return inputs.narrow(0, 0, n).reshape([n, .. shape.Select(d => (long)d)]);
    }

    private ExampleFile Load(string path, string option)
    {
        try
        {
            return ExampleFile.Load(path, InputsName, TargetsName);
        }
        catch (DatasetException e)
        {
            throw new UsageException(option, e.Message);
        }
    }

    private Dataset Fit(Func<Dataset> make, string option)
    {
        try
        {
            return make();
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.ParamName == "outputs" ? "--torchscript" : option, $"{ModelFile}: {e.Message.Split(" (Parameter", 2)[0]}");
        }
    }
}
