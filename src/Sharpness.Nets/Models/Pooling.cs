namespace Sharpness.Nets.Models;

/// <summary>The 2×2, stride-2 spatial pooling between the convolution blocks of a <see cref="SmallConvolutionalNetwork"/>.</summary>
public enum Pooling
{
    /// <summary>Maximum over each 2×2 window (Cohen et al.'s "cnn-relu"); piecewise linear, so the Hessian jumps where two values tie.</summary>
    Max,

    /// <summary>Mean over each 2×2 window; smooth.</summary>
    Average,
}
