using Sharpness.Nets.Models;

namespace Sharpness.Nets.Data;

/// <summary>
/// Images and labels as stored on disk, before any preprocessing: pixel bytes 0–255, each image
/// C·H·W bytes in row-major (channel, row, column) order, one label byte per image.
/// </summary>
public sealed class RawImageSet
{
    /// <summary>Wraps pixels and labels (not copied).</summary>
    /// <param name="source">Where the set came from (file names), for messages.</param>
    /// <param name="shape">Shape of one image.</param>
    /// <param name="pixels">Count·C·H·W bytes.</param>
    /// <param name="labels">One label per image, each in [0, <paramref name="classCount"/>).</param>
    /// <param name="classCount">Number of classes k ≥ 1.</param>
    /// <exception cref="ArgumentException">The lengths do not fit the shape, or a label is out of range.</exception>
    public RawImageSet(string source, ImageShape shape, byte[] pixels, byte[] labels, int classCount)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentNullException.ThrowIfNull(labels);
        shape.Validate(nameof(shape));
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 1);
        if ((long)labels.Length * shape.FeatureCount != pixels.Length)
        {
            throw new ArgumentException($"{labels.Length} labels of {shape} images need {(long)labels.Length * shape.FeatureCount} pixel bytes, got {pixels.Length}.", nameof(pixels));
        }

        int bad = Array.FindIndex(labels, l => l >= classCount);
        if (bad >= 0)
        {
            throw new ArgumentException($"Label {labels[bad]} of example {bad} is not in [0, {classCount}).", nameof(labels));
        }

        Source = source;
        Shape = shape;
        Pixels = pixels;
        Labels = labels;
        ClassCount = classCount;
    }

    /// <summary>Where the set came from.</summary>
    public string Source { get; }

    /// <summary>Shape of one image.</summary>
    public ImageShape Shape { get; }

    /// <summary>Number of images N.</summary>
    public int Count => Labels.Length;

    /// <summary>Number of classes k.</summary>
    public int ClassCount { get; }

    /// <summary>N·C·H·W pixel bytes, image after image.</summary>
    public byte[] Pixels { get; }

    /// <summary>N labels.</summary>
    public byte[] Labels { get; }
}
