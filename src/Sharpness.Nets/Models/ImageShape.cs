namespace Sharpness.Nets.Models;

/// <summary>
/// The shape of one image example, channels × height × width (pixels). Flattened images list the
/// values in row-major (channel, row, column) order, the layout of CIFAR-10's binary files.
/// </summary>
/// <param name="Channels">Channels C ≥ 1 (1 for grey-scale, 3 for RGB).</param>
/// <param name="Height">Rows H ≥ 1.</param>
/// <param name="Width">Columns W ≥ 1.</param>
public readonly record struct ImageShape(int Channels, int Height, int Width)
{
    /// <summary>Grey-scale 28×28, the shape of MNIST and Fashion-MNIST.</summary>
    public static ImageShape Mnist { get; } = new(1, 28, 28);

    /// <summary>RGB 32×32, the shape of CIFAR-10.</summary>
    public static ImageShape Cifar10 { get; } = new(3, 32, 32);

    /// <summary>Values per example, C·H·W.</summary>
    public int FeatureCount => checked(Channels * Height * Width);

    /// <summary>[C, H, W], as <see cref="NetworkModule.InputShape"/> reports it.</summary>
    public IReadOnlyList<int> Dimensions => [Channels, Height, Width];

    /// <summary>Throws unless every dimension is at least 1 and C·H·W fits in an int.</summary>
    /// <param name="parameterName">Name reported in the exception.</param>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is below 1 or the product overflows.</exception>
    public void Validate(string parameterName)
    {
        if (Channels < 1 || Height < 1 || Width < 1)
        {
            throw new ArgumentOutOfRangeException(parameterName, this, "Image dimensions must be at least 1.");
        }

        if ((long)Channels * Height * Width > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(parameterName, this, "An image must have fewer than 2^31 values.");
        }
    }

    /// <summary>"C×H×W".</summary>
    public override string ToString() => $"{Channels}×{Height}×{Width}";
}
