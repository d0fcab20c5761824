using System.Globalization;
using System.Text.Json;

namespace Sharpness.Cli.Tests.Commands;

/// <summary>
/// Why <c>net early-phase</c> defaults to float32 Hessian products: on Fashion-MNIST every decision (each probe's
/// verdicts, the three constants and their bounds) and every digit of the summary table are those of float64 products.
/// </summary>
public class NetEarlyPhasePrecisionTests
{
    private static readonly string[] Run =
    [
        "net", "early-phase", "--train-size", "100", "--depths", "2,3", "--widths", "16,32", "--seeds", "2", "--variants", "sp,zero-readout",
        "--c-max", "32", "--early-steps", "8",
    ];

    // The decision columns of a CSV, one string per row.
    private static string[] Columns(string folder, string file, params string[] names)
    {
        string[] lines = File.ReadAllLines(Path.Combine(folder, file));
        string[] header = lines[0].Split(',');
        int[] indices = [.. names.Select(n => Array.IndexOf(header, n))];
        Assert.DoesNotContain(-1, indices);
        return [.. lines.Skip(1).Select(l => l.Split(',')).Select(cells => string.Join(',', indices.Select(i => cells[i])))];
    }

    [Fact]
    public void Float32ProductsGiveEveryDecisionAndEveryReportedDigitOfFloat64Products()
    {
        Assert.True(Directory.Exists("/usr/share/datasets/fashion-mnist"), "Fashion-MNIST is not installed; scripts/setup.sh installs it (apt-get install dataset-fashion-mnist).");
        string single = CliRunner.NewTemporaryFolder(), dual = CliRunner.NewTemporaryFolder();

        var (code, _, error) = CliRunner.Run([.. Run, "--out", single]);
        Assert.True(code == 0, error);
        (code, _, error) = CliRunner.Run([.. Run, "--hvp-precision", "float64", "--out", dual]);
        Assert.True(code == 0, error);

        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(single, "manifest.json")));
        var configuration = manifest.RootElement.GetProperty("configuration");
        Assert.Equal("float32", configuration.GetProperty("hvp_precision").GetString());
        Assert.StartsWith("float32 by default", configuration.GetProperty("hvp_precision_reason").GetString(), StringComparison.Ordinal);

        string[] probes = ["variant", "depth", "width", "seed", "kind", "grid_index", "loss_rose", "diverged", "diverged_at_step", "sharpness_rose", "steps_run"];
        Assert.Equal(Columns(dual, "points.csv", probes), Columns(single, "points.csv", probes));
        string[] constants = ["variant", "depth", "width", "seed", "c_loss", "c_loss_bound", "c_sharp", "c_sharp_bound", "c_max", "c_max_bound", "ordering", "monotonicity_violations", "runs"];
        Assert.Equal(Columns(dual, "critical.csv", constants), Columns(single, "critical.csv", constants));
        string[] Table(string folder) => [.. File.ReadAllLines(Path.Combine(folder, "summary.md")).Where(l => l.StartsWith("| ", StringComparison.Ordinal))];
        Assert.Equal(Table(dual), Table(single));

        // The initial eigenvalues themselves agree to float32's resolution of the products.
        double[] h32 = [.. Columns(single, "critical.csv", "lambda_h0").Select(t => double.Parse(t, CultureInfo.InvariantCulture))];
        double[] h64 = [.. Columns(dual, "critical.csv", "lambda_h0").Select(t => double.Parse(t, CultureInfo.InvariantCulture))];
        Assert.All(h32.Zip(h64), p => Assert.True(Math.Abs(p.First - p.Second) <= 1e-5 * p.Second, $"{p.First} vs {p.Second}"));
    }
}
