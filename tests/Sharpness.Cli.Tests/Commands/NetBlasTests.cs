using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using static TorchSharp.torch;

namespace Sharpness.Cli.Tests.Commands;

/// <summary>Skips a test when Debian's OpenBLAS (libopenblas0-pthread) is not installed.</summary>
public sealed class OpenBlasFactAttribute : FactAttribute
{
    public const string Library = "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0";

    public OpenBlasFactAttribute()
    {
        if (!File.Exists(Library))
        {
            Skip = $"OpenBLAS is not installed at {Library} (apt-get install libopenblas0-pthread); --blas openblas is not checked.";
        }
    }
}

public class NetBlasTests
{
    private static readonly string[] Small = ["net", "train", "--dataset", "synthetic", "--train-size", "120", "--test-size", "60", "--width", "16", "--dtype", "float64", "--lr", "0.2", "--steps", "20", "--sharpness-every", "5"];

    // A new process: OpenBLAS must be chosen before LibTorch loads, which in this test process it has.
    private static (int Code, string Error) RunInNewProcess(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "sharpness.dll"));
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        _ = output.Result;
        return (process.ExitCode, error);
    }

    private static double[][] Columns(string folder, params int[] columns) =>
        File.ReadAllLines(Path.Combine(folder, "metrics.csv")).Skip(1)
            .Select(line => line.Split(','))
            .Select(cells => columns.Select(c => double.Parse(cells[c], CultureInfo.InvariantCulture)).ToArray())
            .ToArray();

    [OpenBlasFact]
    [Trait("Category", "EndToEnd")]
    public void OpenBlasRunsAgreeWithLibTorchsMklToRoundingAndRepeatBitForBit()
    {
        string mkl = CliRunner.NewTemporaryFolder(), open = CliRunner.NewTemporaryFolder(), again = CliRunner.NewTemporaryFolder();

        var (code, error) = RunInNewProcess([.. Small, "--out", mkl]);
        Assert.True(code == 0, error);
        (code, error) = RunInNewProcess([.. Small, "--blas", "openblas", "--out", open]);
        Assert.True(code == 0, error);
        (code, error) = RunInNewProcess([.. Small, "--blas", "openblas", "--out", again]);
        Assert.True(code == 0, error);

        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(open, "manifest.json")));
        var configuration = manifest.RootElement.GetProperty("configuration");
        Assert.Equal("openblas", configuration.GetProperty("blas").GetString());
        Assert.StartsWith("LibTorch's product equals OpenBLAS's bit for bit", configuration.GetProperty("blas_check").GetString());
        using var mklManifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(mkl, "manifest.json")));
        Assert.Equal("libtorch", mklManifest.RootElement.GetProperty("configuration").GetProperty("blas").GetString());

        Assert.Equal(File.ReadAllBytes(Path.Combine(open, "metrics.csv")), File.ReadAllBytes(Path.Combine(again, "metrics.csv")));
        double[][] a = Columns(mkl, 1, 4), b = Columns(open, 1, 4);
        Assert.Equal(a.Length, b.Length);
        for (int i = 0; i < a.Length; i++)
        {
            for (int j = 0; j < 2; j++)
            {
                double x = a[i][j], y = b[i][j];
                Assert.True((double.IsNaN(x) && double.IsNaN(y)) || Math.Abs(x - y) <= 1e-9 * Math.Abs(x), $"step {i}, column {j}: {x} (MKL) vs {y} (OpenBLAS)");
            }
        }
    }

    [Fact]
    public void OpenBlasIsRefusedOnceLibTorchHasLoaded()
    {
        using (zeros(1))
        {
            // LibTorch is now loaded in this process.
        }

        string dir = CliRunner.NewTemporaryFolder();
        var (code, _, error) = CliRunner.Run([.. Small, "--blas", "openblas", "--out", dir]);

        Assert.Equal(2, code);
        Assert.Contains("--blas", error);
        Assert.Contains("LibTorch was loaded before", error);
        Assert.False(File.Exists(Path.Combine(dir, "manifest.json")));
    }

    [Fact]
    public void AnUnknownBackendNamesTheOption()
    {
        var (code, _, error) = CliRunner.Run([.. Small, "--blas", "atlas", "--out", CliRunner.NewTemporaryFolder()]);

        Assert.Equal(2, code);
        Assert.Contains("--blas", error);
        Assert.Contains("expected libtorch or openblas", error);
    }
}
