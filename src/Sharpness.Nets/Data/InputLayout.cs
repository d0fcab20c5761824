namespace Sharpness.Nets.Data;

/// <summary>How a <see cref="Dataset"/> shapes its inputs.</summary>
public enum InputLayout
{
    /// <summary>[N, d]: one row per example, images flattened row-major (channel, row, column). For fully connected networks.</summary>
    Flat,

    /// <summary>[N, C, H, W]: for convolutional networks. Only for data with an image shape.</summary>
    Images,
}
