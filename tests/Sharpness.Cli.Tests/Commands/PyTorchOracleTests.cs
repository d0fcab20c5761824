using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;

namespace Sharpness.Cli.Tests.Commands;

/// <summary>
/// A fact that runs only where Debian's PyTorch and SciPy are importable by /usr/bin/python3 (.ci/run and
/// scripts/setup.sh install python3-torch and python3-scipy); otherwise it is skipped with a message that
/// says the end-to-end oracle did not run.
/// </summary>
public sealed class PyTorchOracleFactAttribute : FactAttribute
{
    public PyTorchOracleFactAttribute()
    {
        if (PyTorchOracle.Missing is { } reason)
        {
            Skip = $"SKIPPED: the end-to-end PyTorch oracle did not run: {reason} (apt-get install python3-torch python3-scipy).";
        }
    }
}

internal static class PyTorchOracle
{
    public const string Python = "/usr/bin/python3";

    private static readonly Lazy<string?> MissingReason = new(() =>
    {
        if (!File.Exists(Python))
        {
            return $"{Python} does not exist";
        }

        var (code, _, error) = Run(["-c", "import torch, scipy, numpy"], TimeSpan.FromMinutes(2));
        return code == 0 ? null : $"{Python} cannot import torch and scipy ({error.Trim().Split('\n').LastOrDefault()})";
    });

    /// <summary>Why the oracle cannot run here, or null when it can.</summary>
    public static string? Missing => MissingReason.Value;

    public static string Script => Path.Combine(RepositoryRoot(), "bench", "pytorch", "training_oracle.py");

    public static (int ExitCode, string Output, string Error) Run(IEnumerable<string> arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Python} {string.Join(' ', arguments)} did not finish within {timeout}.");
        }

        return (process.ExitCode, output.Result, error.Result);
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Sharpness.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Sharpness.sln not found above the test binaries.");
    }
}

/// <summary>
/// Trains every case with the toolkit (float64, 50 steps below 2/η, sharpness every 25 steps), perturbs copies
/// of one run folder, and runs bench/pytorch/training_oracle.py once over all of them.
/// </summary>
public sealed class PyTorchOracleRuns
{
    public const int Steps = 50;

    /// <summary>Steps between sharpness measurements (0, 25 and 50: three per run, to keep the class within a minute of CPU).</summary>
    public const int SharpnessEvery = 25;

    /// <summary>Case name → the options after <c>net train</c> (each also gets the common options below).</summary>
    public static readonly IReadOnlyDictionary<string, string[]> Cases = new Dictionary<string, string[]>
    {
        // Cohen et al.'s protocol as the eos preset defines it (PyTorch's initialisation, tanh, MSE summed over classes, eta = 2/30), on 1,000 images.
        ["eos"] = ["--preset", "eos", "--train-size", "1000", "--measure-size", "1000", "--checkpoint-steps", "0,25"],
        ["ntp-relu"] = ["--param", "ntp", "--activation", "relu", "--loss", "mse-mean", "--width", "48", "--train-size", "300", "--measure-size", "300", "--lr-constant", "1"],
        ["mup-out-relu"] = ["--param", "mup-out", "--activation", "relu", "--loss", "mse-mean", "--no-bias", "--width", "48", "--train-size", "300", "--measure-size", "300", "--lr-constant", "1"],
        ["mup-abc-relu"] = ["--param", "mup-abc", "--activation", "relu", "--loss", "mse-mean", "--width", "48", "--train-size", "300", "--measure-size", "300", "--lr-constant", "1"],
        ["cnn-ce"] = ["--model", "cnn", "--width", "4", "--loss", "ce", "--init", "torch", "--train-size", "100", "--measure-size", "100", "--lr-constant", "0.05"],
        ["myrtle-ce"] = ["--model", "myrtle", "--width", "3", "--no-bias", "--loss", "ce", "--train-size", "50", "--measure-size", "50", "--lr-constant", "1"],
        ["zero-readout-multiplier"] = ["--init", "torch", "--zero-readout", "--output-multiplier", "2.5", "--width", "32", "--train-size", "300", "--measure-size", "300", "--lr-constant", "0.5"],
        // Kalra & Barkeshli's protocol as the early preset defines it (ReLU, no bias, normal initialisation, MSE averaged over classes, SGD,
        // images standardised one by one), shallower and at c = 1.
        ["early"] = ["--preset", "early", "--depth", "3", "--width", "32", "--batch-size", "128", "--train-size", "300", "--measure-size", "300", "--lr-constant", "1"],
        ["sgd-momentum-warmup"] = ["--optimizer", "sgd", "--batch-size", "64", "--momentum", "0.9", "--warmup", "10", "--activation", "relu", "--width", "32", "--train-size", "300", "--measure-size", "300", "--lr-constant", "1"],
    };

    /// <summary>Perturbed copies of the ntp-relu run: another loss convention, a multiplier, the learning rate.</summary>
    public static readonly string[] Perturbations = ["loss-convention", "multiplier", "learning-rate"];

    public PyTorchOracleRuns()
    {
        if (PyTorchOracle.Missing is not null)
        {
            return;
        }

        if (!Directory.Exists("/usr/share/datasets/fashion-mnist"))
        {
            Problem = "Fashion-MNIST is not installed; scripts/setup.sh installs it (apt-get install dataset-fashion-mnist).";
            return;
        }

        Root = CliRunner.NewTemporaryFolder();
        foreach (var (name, options) in Cases)
        {
            string folder = Path.Combine(Root, name);
            string[] checkpoints = options.Contains("--checkpoint-steps") ? [] : ["--checkpoint-steps", "0"];
            var (code, _, error) = CliRunner.Run(["net", "train", .. options, .. checkpoints, "--dtype", "float64", "--test-size", "0", "--steps", Steps.ToString(CultureInfo.InvariantCulture),
                "--sharpness-every", SharpnessEvery.ToString(CultureInfo.InvariantCulture), "--lanczos-tolerance", "1e-8", "--out", folder]);
            if (code != 0)
            {
                Problem = $"net train {name} failed: {error}";
                return;
            }
        }

        foreach (string perturbation in Perturbations)
        {
            string folder = Path.Combine(Root, "perturbed-" + perturbation);
            CopyFolder(Path.Combine(Root, "ntp-relu"), folder);
            string manifestPath = Path.Combine(folder, "manifest.json");
            string modelPath = Path.Combine(folder, "model.json");
            var manifest = JsonNode.Parse(File.ReadAllText(manifestPath))!;
            var model = JsonNode.Parse(File.ReadAllText(modelPath))!;
            switch (perturbation)
            {
                case "loss-convention":
                    manifest["configuration"]!["loss"] = "mse-sum";
                    break;
                case "multiplier":
                    var layer = model["forward"]!.AsArray().First(op => op!["op"]!.GetValue<string>() == "linear" && op["weight"]!.GetValue<string>() == "layers.1.weight")!;
                    layer["input_multiplier"] = layer["input_multiplier"]!.GetValue<double>() * 1.0001;
                    break;
                default:
                    manifest["configuration"]!["lr"] = manifest["configuration"]!["lr"]!.GetValue<double>() * (1 + 1e-5);
                    manifest["configuration"]!["lr_constant"] = null;
                    break;
            }

            File.WriteAllText(manifestPath, manifest.ToJsonString());
            File.WriteAllText(modelPath, model.ToJsonString());
        }

        string report = Path.Combine(Root, "oracle.json");
        string[] folders = [.. Cases.Keys.Select(n => Path.Combine(Root, n)), .. Perturbations.Select(p => Path.Combine(Root, "perturbed-" + p))];
        var (exitCode, output, stderr) = PyTorchOracle.Run([PyTorchOracle.Script, .. folders, "--steps", Steps.ToString(CultureInfo.InvariantCulture), "--json", report], TimeSpan.FromMinutes(60));
        OracleExitCode = exitCode;
        OracleOutput = output + stderr;
        if (!File.Exists(report))
        {
            Problem = $"the oracle wrote no report (exit code {exitCode}): {OracleOutput}";
            return;
        }

        Reports = JsonNode.Parse(File.ReadAllText(report))!.AsArray().ToDictionary(r => Path.GetFileName(r!["run"]!.GetValue<string>()), r => r!.AsObject());
    }

    public string? Root { get; }

    public string? Problem { get; }

    public int OracleExitCode { get; }

    public string OracleOutput { get; } = string.Empty;

    public IReadOnlyDictionary<string, JsonObject> Reports { get; } = new Dictionary<string, JsonObject>();

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
    }
}

public sealed class PyTorchOracleTests(PyTorchOracleRuns runs) : IClassFixture<PyTorchOracleRuns>
{
    [PyTorchOracleFact]
    public void EveryCaseAgreesWithPyTorchAtEveryStepWithinTheTolerances()
    {
        Assert.True(runs.Problem is null, runs.Problem);
        foreach (string name in PyTorchOracleRuns.Cases.Keys)
        {
            var report = runs.Reports[name];
            string context = $"{name}:\n{runs.OracleOutput}";
            Assert.True(report["agree"]!.GetValue<bool>(), context);
            Assert.Equal(PyTorchOracleRuns.Steps + 1, report["steps"]!.GetValue<int>());
            Assert.True(report["loss_max_relative"]!.GetValue<double>() <= 1e-8, context);
            Assert.True(report["sharpness_max_relative"]!.GetValue<double>() <= 1e-6, context);
            Assert.Equal((PyTorchOracleRuns.Steps / PyTorchOracleRuns.SharpnessEvery) + 1, report["measured_steps"]!.GetValue<int>());
            Assert.Empty(report["accuracy_mismatch_steps"]!.AsArray());
            Assert.Empty(report["checkpoint_problems"]!.AsArray());
            Assert.Empty(report["initialisation_problems"]!.AsArray());
        }
    }

    [PyTorchOracleFact]
    public void EveryCaseStaysBelowItsStabilityThreshold()
    {
        // The tolerances are for the stable regime: beyond 2/eta the runs are chaotic and rounding grows.
        Assert.True(runs.Problem is null, runs.Problem);
        foreach (string name in PyTorchOracleRuns.Cases.Keys)
        {
            string[] lines = File.ReadAllLines(Path.Combine(runs.Root!, name, "metrics.csv"));
            string[] header = lines[0].Split(',');
            int sharpness = Array.IndexOf(header, "sharpness"), threshold = Array.IndexOf(header, "threshold");
            foreach (string[] row in lines.Skip(1).Select(l => l.Split(',')).Where(r => r[sharpness] != "nan"))
            {
                Assert.True(double.Parse(row[sharpness], CultureInfo.InvariantCulture) < double.Parse(row[threshold], CultureInfo.InvariantCulture), $"{name} step {row[0]}");
            }
        }
    }

    [PyTorchOracleFact]
    public void TheOracleFailsOnEveryPerturbedRunFolder()
    {
        Assert.True(runs.Problem is null, runs.Problem);
        Assert.Equal(1, runs.OracleExitCode);
        foreach (string perturbation in PyTorchOracleRuns.Perturbations)
        {
            var report = runs.Reports["perturbed-" + perturbation];
            Assert.False(report["agree"]!.GetValue<bool>(), perturbation);
            // The loss itself gives them away, not only the sharpness.
            Assert.True(report["loss_max_relative"]!.GetValue<double>() > 1e-8, $"{perturbation}: {report["loss_max_relative"]}");
        }
    }
}
