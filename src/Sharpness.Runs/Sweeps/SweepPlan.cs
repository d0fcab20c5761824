using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Sharpness.Runs.Sweeps;

/// <summary>One point of a sweep.</summary>
/// <param name="Index">Position in the full sweep (0-based, deterministic).</param>
/// <param name="Settings">Every setting of the point: base plus axis values.</param>
/// <param name="Varied">The axis values of this point, in axis order.</param>
/// <param name="Directory">The run folder name: readable prefix plus a hash of the command and settings.</param>
public sealed record SweepPoint(int Index, JsonObject Settings, IReadOnlyList<(string Name, JsonNode Value)> Varied, string Directory);

/// <summary>Expands a spec into its points, and picks the slice of one shard.</summary>
public static class SweepPlan
{
    /// <summary>Longest readable prefix of a run folder name.</summary>
    public const int MaxPrefixLength = 60;

    /// <summary>All points, the last axis (or zip group) varying fastest.</summary>
    /// <param name="spec">The spec.</param>
    public static IReadOnlyList<SweepPoint> Expand(SweepSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);

        // Zip groups act as one axis at the position of their first member.
        var dimensions = new List<IReadOnlyList<SweepAxis>>();
        var placed = new HashSet<string>();
        foreach (var axis in spec.Axes)
        {
            if (placed.Contains(axis.Name))
            {
                continue;
            }

            var group = spec.Zipped.FirstOrDefault(g => g.Contains(axis.Name));
            var members = group is null ? [axis] : group.Select(name => spec.Axes.First(a => a.Name == name)).ToList();
            members.ForEach(m => placed.Add(m.Name));
            dimensions.Add(members);
        }

        var sizes = dimensions.Select(d => d[0].Values.Count).ToArray();
        long total = sizes.Aggregate(1L, (a, b) => a * b);
        if (total > 10_000_000)
        {
            throw new SweepSpecException($"the grid has {total} points; split it (at most 10 million).");
        }

        var points = new List<SweepPoint>((int)total);
        var index = new int[sizes.Length];
        for (int k = 0; k < total; k++)
        {
            var settings = (JsonObject)spec.Base.DeepClone();
            var varied = new List<(string, JsonNode)>();
            for (int d = 0; d < dimensions.Count; d++)
            {
                foreach (var axis in dimensions[d])
                {
                    var value = axis.Values[index[d]].DeepClone();
                    settings[axis.Name] = value;
                    varied.Add((axis.Name, value));
                }
            }

            points.Add(new SweepPoint(k, settings, varied, DirectoryName(spec.Command, settings, varied)));
            for (int d = sizes.Length - 1; d >= 0; d--)
            {
                if (++index[d] < sizes[d])
                {
                    break;
                }

                index[d] = 0;
            }
        }

        return points;
    }

    /// <summary>The points of shard <paramref name="shard"/> of <paramref name="shards"/>: those whose index is congruent to it.</summary>
    /// <param name="points">All points.</param>
    /// <param name="shard">0-based shard index.</param>
    /// <param name="shards">Number of shards ≥ 1.</param>
    public static IReadOnlyList<SweepPoint> Shard(IReadOnlyList<SweepPoint> points, int shard, int shards)
    {
        ArgumentNullException.ThrowIfNull(points);
        ArgumentOutOfRangeException.ThrowIfLessThan(shards, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(shard);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(shard, shards);
        return points.Where(p => p.Index % shards == shard).ToList();
    }

    /// <summary>
    /// The folder name of a point: "name=value" of the varied settings joined by "_", reduced to
    /// the characters [A-Za-z0-9._=+-] (others become "_"), never starting with "." and at most
    /// <see cref="MaxPrefixLength"/> characters, then "-" and 12 hex digits of the SHA-256 of the
    /// command and all settings (sorted by name). The name cannot contain a path separator or "..".
    /// </summary>
    /// <param name="command">The command.</param>
    /// <param name="settings">Every setting.</param>
    /// <param name="varied">The varied settings (for the readable prefix).</param>
    public static string DirectoryName(string command, JsonObject settings, IReadOnlyList<(string Name, JsonNode Value)> varied)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(varied);
        var canonical = new StringBuilder(command);
        foreach (var (key, value) in settings.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            canonical.Append('\n').Append(key).Append('=').Append(value?.ToJsonString());
        }

        string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString())))[..12];
        var prefix = new StringBuilder();
        foreach (var (name, value) in varied)
        {
            if (prefix.Length > 0)
            {
                prefix.Append('_');
            }

            prefix.Append(name).Append('=').Append(SweepSpec.Text(value));
        }

        var safe = new StringBuilder();
        foreach (char c in prefix.ToString())
        {
            safe.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '=' or '+' or '-' ? c : '_');
        }

        string text = safe.ToString().Replace("..", "__", StringComparison.Ordinal).TrimStart('.');
        if (text.Length > MaxPrefixLength)
        {
            text = text[..MaxPrefixLength];
        }

        return (text.Length == 0 ? "run" : text) + "-" + hash;
    }
}
