namespace Sharpness.Cli.Tests.Commands;

/// <summary>One uninterrupted <c>reproduce --quick --no-net --jobs 1</c> (one experiment after another), shared by the tests that read a reproduction.</summary>
public sealed class QuickReproduction
{
    /// <summary>The claim ids of experiment list version 1, in the order of claims.json.</summary>
    public static readonly string[] ClaimIds =
    [
        "uv-reduction-large-output", "uv-sharpening-small-output", "uv-no-convergence-above-critical", "uv-period2-geometric-mean",
        "uv-feigenbaum", "uv-chaos", "net-eos-settles", "net-uv-fit", "net-initial-output-predicts-regime", "net-period-two",
        "net-critical-ordering", "net-zero-readout-c-loss",
    ];

    public QuickReproduction()
    {
        Folder = CliRunner.NewTemporaryFolder();
        var (code, _, error) = CliRunner.Run("reproduce", "--quick", "--no-net", "--jobs", "1", "--out", Folder);
        if (code != 0)
        {
            throw new InvalidOperationException($"reproduce --quick --no-net --jobs 1 failed with exit {code}: {error}");
        }
    }

    /// <summary>The reproduction's folder.</summary>
    public string Folder { get; }
}

[CollectionDefinition(Name)]
public sealed class QuickReproductionCollection : ICollectionFixture<QuickReproduction>
{
    public const string Name = "quick reproduction";
}
