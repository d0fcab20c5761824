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

/// <summary>
/// The points of a spec, computed one at a time from their index (never the whole grid at once),
/// and the slice of one shard.
/// </summary>
public static class SweepPlan
{
    /// <summary>Longest readable prefix of a run folder name.</summary>
    public const int MaxPrefixLength = 60;

    /// <summary>Most points a sweep may have.</summary>
    public const long MaxPoints = 10_000_000;

    /// <summary>The number of points, computed without overflow.</summary>
    /// <param name="spec">The spec.</param>
    /// <exception cref="SweepSpecException">More than <see cref="MaxPoints"/> points.</exception>
    public static long Count(SweepSpec spec)
    {
        var sizes = Dimensions(spec).Select(d => (long)d[0].Values.Count).ToArray();
        long total = 1;
        foreach (long size in sizes)
        {
            if (total > MaxPoints / size)
            {
                throw new SweepSpecException($"the grid has {string.Join(" x ", sizes)} points, more than the {MaxPoints:N0} a sweep may have; split it into several sweeps.");
            }

            total *= size;
        }

        return total;
    }

    /// <summary>All points, the last axis (or zip group) varying fastest, generated one at a time.</summary>
    /// <param name="spec">The spec.</param>
    /// <exception cref="SweepSpecException">More than <see cref="MaxPoints"/> points.</exception>
    public static IReadOnlyList<SweepPoint> Expand(SweepSpec spec)
    {
        long count = Count(spec);
        return new PointList(spec, Dimensions(spec), (int)count);
    }

    /// <summary>The points of shard <paramref name="shard"/> of <paramref name="shards"/> (indices congruent to it), generated lazily.</summary>
    /// <param name="spec">The spec.</param>
    /// <param name="shard">0-based shard index.</param>
    /// <param name="shards">Number of shards ≥ 1.</param>
    public static IEnumerable<SweepPoint> ShardOf(SweepSpec spec, int shard, int shards)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shards, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(shard);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(shard, shards);
        var points = Expand(spec);
        for (long k = shard; k < points.Count; k += shards)
        {
            yield return points[(int)k];
        }
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

    // Zip groups act as one axis at the position of their first member.
    private static List<IReadOnlyList<SweepAxis>> Dimensions(SweepSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
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

        return dimensions;
    }

    /// <summary>The points as a list whose items are computed on access from their index (mixed radix, last dimension fastest).</summary>
    private sealed class PointList(SweepSpec spec, List<IReadOnlyList<SweepAxis>> dimensions, int count) : IReadOnlyList<SweepPoint>
    {
        public int Count => count;

        public SweepPoint this[int index]
        {
            get
            {
                ArgumentOutOfRangeException.ThrowIfNegative(index);
                ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, count);
                var settings = (JsonObject)spec.Base.DeepClone();
                var digits = new int[dimensions.Count];
                long rest = index;
                for (int d = dimensions.Count - 1; d >= 0; d--)
                {
                    int size = dimensions[d][0].Values.Count;
                    digits[d] = (int)(rest % size);
                    rest /= size;
                }

                var varied = new List<(string, JsonNode)>();
                for (int d = 0; d < dimensions.Count; d++)
                {
                    foreach (var axis in dimensions[d])
                    {
                        var value = axis.Values[digits[d]].DeepClone();
                        settings[axis.Name] = value;
                        varied.Add((axis.Name, value));
                    }
                }

                return new SweepPoint(index, settings, varied, DirectoryName(spec.Command, settings, varied));
            }
        }

        public IEnumerator<SweepPoint> GetEnumerator()
        {
            for (int k = 0; k < count; k++)
            {
                yield return this[k];
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
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
