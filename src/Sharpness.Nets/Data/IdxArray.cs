namespace Sharpness.Nets.Data;

/// <summary>
/// The content of an IDX file of unsigned bytes: its dimensions (from the header) and its values in
/// row-major order.
/// </summary>
public sealed class IdxArray
{
    /// <summary>Wraps dimensions and values read from <paramref name="path"/>.</summary>
    /// <param name="path">The file they were read from.</param>
    /// <param name="dimensions">Sizes from the header, each ≥ 0.</param>
    /// <param name="values">The values, as many as the product of <paramref name="dimensions"/>.</param>
    /// <exception cref="ArgumentException">The value count does not match the dimensions.</exception>
    public IdxArray(string path, int[] dimensions, byte[] values)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(dimensions);
        ArgumentNullException.ThrowIfNull(values);
        long count = dimensions.Aggregate(1L, (a, b) => a * b);
        if (dimensions.Any(d => d < 0) || count != values.Length)
        {
            throw new ArgumentException($"Dimensions [{string.Join(", ", dimensions)}] do not fit {values.Length} values.", nameof(values));
        }

        Path = path;
        Dimensions = dimensions;
        Values = values;
    }

    /// <summary>The file the array was read from.</summary>
    public string Path { get; }

    /// <summary>Sizes of the dimensions, outermost first ([N, rows, columns] for images, [N] for labels).</summary>
    public IReadOnlyList<int> Dimensions { get; }

    /// <summary>All values, row-major.</summary>
    public byte[] Values { get; }
}
