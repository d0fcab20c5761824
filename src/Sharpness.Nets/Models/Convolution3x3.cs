using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Sharpness.Nets.Models;

/// <summary>
/// A 3×3 convolution with stride 1 and zero padding 1 (the spatial size is kept), with parameters
/// "weight" [C_out, C_in, 3, 3] and optionally "bias" [C_out] created by the owning network.
/// </summary>
internal sealed class Convolution3x3 : nn.Module<Tensor, Tensor>
{
    private static readonly long[] Stride = [1, 1];
    private static readonly long[] Padding = [1, 1];
    private readonly Parameter _weight;
    private readonly Parameter? _bias;

    public Convolution3x3(Parameter weight, Parameter? bias)
        : base(nameof(Convolution3x3))
    {
        _weight = weight;
        _bias = bias;
        register_parameter("weight", _weight);
        if (_bias is not null)
        {
            register_parameter("bias", _bias);
        }
    }

    /// <summary>Input channels times the kernel area, the fan-in of every output value.</summary>
    public static int FanIn(int inputChannels) => checked(inputChannels * 9);

    public override Tensor forward(Tensor input) => nn.functional.conv2d(input, _weight, _bias, Stride, Padding);
}
