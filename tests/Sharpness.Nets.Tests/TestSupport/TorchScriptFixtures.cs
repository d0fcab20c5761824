using System.Text.Json.Nodes;
using Sharpness.Nets.Data;
using Sharpness.Nets.Hessian;
using Sharpness.Nets.Models;
using static TorchSharp.torch;

namespace Sharpness.Nets.Tests.TestSupport;

/// <summary>
/// The TorchScript fixtures of tests/Fixtures/TorchScript (made by make_fixtures.py with Debian's PyTorch 1.13) and
/// their PyTorch reference values.
/// </summary>
internal sealed class TorchScriptFixture : IDisposable
{
    private TorchScriptFixture(string name, JsonNode reference, ExampleFile data, TorchScriptNetwork network, Dataset dataset, LossFunction loss)
    {
        Name = name;
        Reference = reference;
        Data = data;
        Network = network;
        Dataset = dataset;
        Loss = loss;
    }

    public static string Directory => Path.Combine(AppContext.BaseDirectory, "Fixtures", "TorchScript");

    public string Name { get; }

    public JsonNode Reference { get; }

    public ExampleFile Data { get; }

    public TorchScriptNetwork Network { get; }

    public Dataset Dataset { get; }

    public LossFunction Loss { get; }

    public Tensor Targets => Dataset.TargetsFor(Loss);

    public static string PathOf(string file) => Path.Combine(Directory, file);

    /// <summary>Loads NAME.pt in <paramref name="dtype"/> with the data of NAME.safetensors.</summary>
    public static TorchScriptFixture Load(string name, ScalarType dtype = ScalarType.Float64)
    {
        var reference = JsonNode.Parse(File.ReadAllText(PathOf(name + ".json")))!;
        var data = ExampleFile.Load(PathOf(name + ".safetensors"));
        var network = TorchScriptNetwork.Load(File.ReadAllBytes(PathOf(name + ".pt")), data.Inputs.narrow(0, 0, 2), dtype);
        var loss = reference["loss_kind"]!.GetValue<string>() switch
        {
            "ce" => LossFunction.CrossEntropy,
            "mse-mean" => LossFunction.HalfMeanSquaredError,
            _ => LossFunction.HalfSquaredError,
        };
        return new TorchScriptFixture(name, reference, data, network, data.ToDataset(network.OutputDimension, dtype), loss);
    }

    public double Number(string key) => Reference[key]!.GetValue<double>();

    public double[] Numbers(string key) => Reference[key]!.AsArray().Select(x => x!.GetValue<double>()).ToArray();

    public double[][] Vectors(string key) => Reference[key]!.AsArray().Select(row => row!.AsArray().Select(x => x!.GetValue<double>()).ToArray()).ToArray();

    public void Dispose()
    {
        Dataset.Dispose();
        Network.Dispose();
        Data.Dispose();
    }
}
