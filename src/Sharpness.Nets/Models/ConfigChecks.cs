using static TorchSharp.torch;

namespace Sharpness.Nets.Models;

/// <summary>Argument checks shared by the model configurations.</summary>
internal static class ConfigChecks
{
    public static void RequireDefined<TEnum>(TEnum value, string name)
        where TEnum : struct, Enum
    {
        if (!Enum.IsDefined(value))
        {
            throw new ArgumentOutOfRangeException(name, value, $"Unknown {typeof(TEnum).Name}.");
        }
    }

    public static void RequireVariance(double? variance, string name)
    {
        if (variance is double v && !(v >= 0 && double.IsFinite(v)))
        {
            throw new ArgumentOutOfRangeException(name, v, "A weight variance must be finite and non-negative.");
        }
    }

    public static void RequireNetworkType(ScalarType dtype, string name)
    {
        if (dtype is not (ScalarType.Float32 or ScalarType.Float64))
        {
            throw new ArgumentOutOfRangeException(name, dtype, "Networks are float32 or float64.");
        }
    }
}
