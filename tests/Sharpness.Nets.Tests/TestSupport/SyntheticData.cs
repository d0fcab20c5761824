using Sharpness.Core.Random;
using Sharpness.Nets.Models;
using static TorchSharp.torch;

namespace Sharpness.Nets.Tests.TestSupport;

/// <summary>Small deterministic data sets: Gaussian inputs, targets from a teacher network.</summary>
internal static class SyntheticData
{
    /// <summary>Inputs [n, d] ~ N(0, 1) (float64) from <paramref name="seed"/>.</summary>
    public static Tensor Inputs(int n, int d, ulong seed)
    {
        var values = new double[n * d];
        new DeterministicRandom(seed).FillGaussian(values);
        // A copy in LibTorch's own (aligned) memory: products of tensors that wrap managed arrays can round
        // differently from call to call, depending on the array's address.
        return tensor(values, [n, d], ScalarType.Float64).clone();
    }

    /// <summary>Regression targets [n, k]: a tanh teacher network of width 8 plus N(0, 0.1²) noise.</summary>
    public static Tensor TeacherTargets(Tensor inputs, int k, ulong seed)
    {
        using var teacher = new FullyConnectedNetwork(new FullyConnectedConfig
        {
            InputDimension = (int)inputs.shape[1],
            OutputDimension = k,
            Depth = 2,
            Width = 8,
            Seed = seed,
            DType = ScalarType.Float64,
        });
        using var noGrad = no_grad();
        var noise = new double[inputs.shape[0] * k];
        new DeterministicRandom(seed + 1).FillGaussian(noise, 0.1);
        return teacher.forward(inputs.to(ScalarType.Float64)).add(tensor(noise, [inputs.shape[0], k], ScalarType.Float64)).detach();
    }

    /// <summary>Class labels [n] in [0, k), Int64, from <paramref name="seed"/>.</summary>
    public static Tensor Labels(int n, int k, ulong seed)
    {
        var random = new DeterministicRandom(seed);
        var labels = new long[n];
        for (int i = 0; i < n; i++)
        {
            labels[i] = (long)(random.NextUInt64() % (ulong)k);
        }

        return tensor(labels, ScalarType.Int64);
    }
}
