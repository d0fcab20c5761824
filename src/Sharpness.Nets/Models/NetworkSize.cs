namespace Sharpness.Nets.Models;

/// <summary>
/// Sizes a network's configuration implies, before it is built: its parameter count and the
/// memory training it and measuring its sharpness take. Doubles throughout, so that a width of
/// 2^31 or a depth of 10^8 gives a large number instead of an overflow.
/// </summary>
public static class NetworkSize
{
    /// <summary>Parameters of a fully connected network (see <see cref="FullyConnectedConfig"/>).</summary>
    /// <param name="inputs">Input features.</param>
    /// <param name="outputs">Outputs.</param>
    /// <param name="depth">Linear layers, readout included.</param>
    /// <param name="width">Hidden width.</param>
    /// <param name="bias">Whether layers have biases.</param>
    public static double FullyConnected(double inputs, double outputs, double depth, double width, bool bias) => depth <= 1
        ? (inputs * outputs) + (bias ? outputs : 0)
        : (inputs * width) + ((depth - 2) * width * width) + (width * outputs) + (bias ? ((depth - 1) * width) + outputs : 0);

    /// <summary>Parameters of the small CNN (two 3×3 convolutions with 2×2 pooling, linear readout; see <see cref="SmallConvolutionalConfig"/>).</summary>
    /// <param name="input">Image shape.</param>
    /// <param name="channels">Channels of both convolutions.</param>
    /// <param name="outputs">Outputs.</param>
    /// <param name="bias">Whether layers have biases.</param>
    public static double SmallConvolutional(ImageShape input, double channels, double outputs, bool bias) =>
        (9.0 * input.Channels * channels) + (9.0 * channels * channels) + (channels * (input.Height / 4) * (input.Width / 4) * outputs)
        + (bias ? (2 * channels) + outputs : 0);

    /// <summary>Parameters of a Myrtle network (<paramref name="convolutions"/> 3×3 convolutions, global pooling, linear readout; see <see cref="MyrtleConfig"/>).</summary>
    /// <param name="input">Image shape.</param>
    /// <param name="channels">Channels of every convolution.</param>
    /// <param name="convolutions">Convolutions (depth − 1).</param>
    /// <param name="outputs">Outputs.</param>
    /// <param name="bias">Whether layers have biases.</param>
    public static double Myrtle(ImageShape input, double channels, double convolutions, double outputs, bool bias) =>
        (9.0 * input.Channels * channels) + ((convolutions - 1) * 9.0 * channels * channels) + (channels * outputs)
        + (bias ? (convolutions * channels) + outputs : 0);

    /// <summary>
    /// Memory of training: parameters with their gradient, momentum and float64 copies for
    /// Hessian-vector products; the data; the activations of one physical batch kept for the
    /// double backward pass of a Hessian-vector product.
    /// </summary>
    /// <param name="parameters">Parameter count.</param>
    /// <param name="examples">Training (and test) examples held.</param>
    /// <param name="features">Input features per example.</param>
    /// <param name="activationsPerExample">Hidden activations of one example summed over layers.</param>
    /// <param name="physicalBatch">Examples per forward pass.</param>
    /// <param name="elementBytes">4 for float32, 8 for float64.</param>
    public static double TrainingBytes(double parameters, double examples, double features, double activationsPerExample, double physicalBatch, double elementBytes) =>
        (parameters * ((4 * elementBytes) + (3 * 8.0))) + (examples * features * elementBytes) + (6.0 * physicalBatch * activationsPerExample * elementBytes);

    /// <summary>
    /// Disk space of a training run's per-step table (metrics.csv): <paramref name="rows"/> rows of
    /// <paramref name="columns"/> numbers of at most 24 characters each with their separators, and
    /// the header.
    /// </summary>
    /// <param name="rows">Rows (steps + 1).</param>
    /// <param name="columns">Columns.</param>
    public static double MetricsBytes(double rows, double columns) => ((rows + 1) * columns * 25.0) + 1024;

    /// <summary>Disk space allowed for a training run's other files: its figures (PNG and SVG), model.json and manifest.json.</summary>
    public const double RunFilesBytes = 1024 * 1024;

    /// <summary>Memory of a Lanczos measurement of the top <paramref name="count"/> eigenvalues (basis of min(n, max(2k + 20, 40)) float64 vectors and its small matrices).</summary>
    /// <param name="parameters">Parameter count n.</param>
    /// <param name="count">Eigenvalues k.</param>
    public static double LanczosBytes(double parameters, double count)
    {
        double basis = Math.Min(parameters, Math.Max((2 * count) + 20, 40));
        return (8.0 * basis * parameters) + (5 * 8.0 * basis * basis);
    }
}
