using System.Globalization;
using System.Text.Json.Nodes;
using Sharpness.Experiments.Runs;
using Sharpness.Nets.Checkpoints;
using Sharpness.Nets.Data;
using Sharpness.Nets.Models;
using Sharpness.Nets.Parameters;
using Sharpness.Runs;
using static TorchSharp.torch;

namespace Sharpness.Experiments.Nets;

/// <summary>A user's TorchScript module and, optionally, the files its examples come from.</summary>
/// <param name="ModelFile">The TorchScript file.</param>
/// <param name="Content">Its bytes (read once; every copy of the module is loaded from them).</param>
/// <param name="DataFile">Training examples (safetensors), or null for the toolkit dataset of the settings.</param>
/// <param name="TestDataFile">Test examples (safetensors), or null.</param>
/// <param name="InputsName">Name of the inputs tensor.</param>
/// <param name="TargetsName">Name of the targets tensor.</param>
/// <param name="InputShape">Shape of one example as the module takes it, or null for the data's.</param>
public sealed record TorchScriptSource(string ModelFile, byte[] Content, string? DataFile, string? TestDataFile, string InputsName, string TargetsName, int[]? InputShape)
{
    /// <summary>The files a checkpoint of a TorchScript run writes.</summary>
    public static readonly string[] CheckpointFiles = ["model.safetensors", "model.pt", "model.json"];

    /// <summary>Reads the module file (within the size limit of modules) and names the data files.</summary>
    /// <param name="modelFile">The TorchScript file (torch.jit.script(model).save(path)).</param>
    /// <param name="dataFile">Training examples (safetensors), or null for a toolkit dataset.</param>
    /// <param name="testDataFile">Test examples (safetensors), or null.</param>
    /// <param name="inputsName">Name of the inputs tensor in the data files.</param>
    /// <param name="targetsName">Name of the targets tensor in the data files.</param>
    /// <param name="inputShape">Shape of one example as the module takes it, or null for the data's.</param>
    /// <exception cref="InvalidOptionException">The file cannot be read (<c>--torchscript</c>).</exception>
    public static TorchScriptSource Read(string modelFile, string? dataFile, string? testDataFile, string inputsName, string targetsName, int[]? inputShape)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelFile);
        byte[] content;
        try
        {
            content = Sharpness.Runs.Safety.BoundedFile.ReadAllBytes(modelFile, Sharpness.Runs.Safety.FileKindLimit.Module);
        }
        catch (Sharpness.Runs.Safety.InputFileException e)
        {
            throw new InvalidOptionException("--torchscript", e.Message);
        }

        return new TorchScriptSource(modelFile, content, dataFile, testDataFile, inputsName, targetsName, inputShape);
    }

    private int[]? _fileShape;
    private string? _dataSha256;
    private string? _testDataSha256;

    /// <summary>The examples of <see cref="DataFile"/> (and <see cref="TestDataFile"/>), one-hot or class targets for a model with the given outputs.</summary>
    public DatasetSplits LoadData(NetworkSettings settings)
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
    public NetworkModule BuildModel(NetworkSettings settings, Dataset train)
    {
        using var scope = NewDisposeScope();
        TorchScriptNetwork model = LoadModel(Sample(train.Inputs, train.ImageShape?.Dimensions), settings.DType);
        if (model.OutputDimension != train.OutputCount)
        {
            model.Dispose();
            throw new InvalidOptionException("--torchscript", $"{ModelFile}: the module returns {model.OutputDimension} output(s) per example but the data has {train.OutputCount} target value(s) per example.");
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
    public IEnumerable<string> WriteCheckpoint(RunFolder output, TorchScriptNetwork model)
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
            throw new InvalidOptionException("--torchscript", $"{ModelFile}: {e.Message}");
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
            throw new InvalidOptionException("--input-shape", $"[{string.Join(", ", shape)}] has {wanted} values per example but the data has {features}.");
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
            throw new InvalidOptionException(option, e.Message);
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
            throw new InvalidOptionException(e.ParamName == "outputs" ? "--torchscript" : option, $"{ModelFile}: {e.Message.Split(" (Parameter", 2)[0]}");
        }
    }
}
