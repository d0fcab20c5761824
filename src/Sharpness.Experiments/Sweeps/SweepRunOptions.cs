namespace Sharpness.Experiments.Sweeps;

/// <summary>
/// Options of <see cref="SweepRunner"/> (<c>sharpness sweep run</c>): a sweep specification, where its
/// results go and which shard of its points to run. docs/sweeps.md has the specification format.
/// </summary>
public sealed record SweepRunOptions
{
    /// <summary>The sweep specification file (JSON, TOML or YAML): command, base, grid, zip, out.</summary>
    public required string Spec { get; init; }

    /// <summary>The results folder, one sub-folder per point. Default: the specification's <c>out</c>.</summary>
    public string? Out { get; init; }

    /// <summary>Run only the points with index ≡ <see cref="Shard"/> (mod <see cref="Shards"/>), 0 ≤ Shard &lt; Shards. Default 0.</summary>
    public int Shard { get; init; }

    /// <summary>Number of shards, ≥ 1. Default 1 (all points).</summary>
    public int Shards { get; init; } = 1;

    /// <summary>Reads a shard "i/N" with 0 ≤ i &lt; N.</summary>
    /// <param name="text">The shard.</param>
    /// <exception cref="InvalidOptionException">It is not one (<c>--shard</c>).</exception>
    public static (int Shard, int Shards) ParseShard(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] parts = text.Split('/');
        return parts.Length == 2
            && int.TryParse(parts[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int i)
            && int.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n)
            && n >= 1 && i < n
                ? (i, n)
                : throw new InvalidOptionException("--shard", $"expected i/N with 0 <= i < N, got '{text}'.");
    }
}
