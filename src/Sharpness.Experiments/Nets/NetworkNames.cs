using System.Globalization;
using Sharpness.Nets.Hessian;
using Sharpness.Nets.Models;
using Sharpness.Nets.Training;
using static TorchSharp.torch;

namespace Sharpness.Experiments.Nets;

/// <summary>
/// The names the real-network options take on the command line and in settings files, parsed into
/// the library's values; a name that is not one of them throws <see cref="InvalidOptionException"/>
/// naming the option.
/// </summary>
public static class NetworkNames
{
    /// <summary>A comma-separated list of class numbers (<c>--classes</c>), or null for none.</summary>
    public static int[]? ParseClasses(string? text)
    {
        if (text is null)
        {
            return null;
        }

        try
        {
            return text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            throw new InvalidOptionException("--classes", $"expected comma-separated class numbers, got '{text}'.");
        }
    }

    /// <summary>tanh, relu, elu or linear (<c>--activation</c>).</summary>
    public static Activation ParseActivation(string text) => text.ToLowerInvariant() switch
    {
        "tanh" => Sharpness.Nets.Models.Activation.Tanh,
        "relu" => Sharpness.Nets.Models.Activation.Relu,
        "elu" => Sharpness.Nets.Models.Activation.Elu,
        "linear" => Sharpness.Nets.Models.Activation.Linear,
        _ => throw new InvalidOptionException("--activation", $"expected tanh, relu, elu or linear, got '{text}'."),
    };

    /// <summary>sp, ntp, mup-abc, mup-out or small-readout, given to <paramref name="option"/>.</summary>
    public static NetworkParameterisation ParseParameterisation(string text, string option)
    {
        if (NetworkParameterisationNames.TryParse(text, out var parameterisation))
        {
            return parameterisation;
        }

        throw new InvalidOptionException(option, string.Equals(text, "mup", StringComparison.OrdinalIgnoreCase)
            ? "mup is ambiguous: give mup-abc (Yang & Hu's abc form, the toolkit's earlier mup) or mup-out (Kalra & Barkeshli's fcn_mup, output divided by width^s)."
            : $"expected {string.Join(", ", NetworkParameterisationNames.All)}, got '{text}'.");
    }

    /// <summary>normal or torch (<c>--init</c>).</summary>
    public static Initialisation ParseInitialisation(string text) => text.ToLowerInvariant() switch
    {
        "normal" => Sharpness.Nets.Models.Initialisation.Normal,
        "torch" => Sharpness.Nets.Models.Initialisation.Torch,
        _ => throw new InvalidOptionException("--init", $"expected normal or torch, got '{text}'."),
    };

    /// <summary>max or avg (<c>--pooling</c>).</summary>
    public static Pooling ParsePooling(string text) => text.ToLowerInvariant() switch
    {
        "max" => Sharpness.Nets.Models.Pooling.Max,
        "avg" or "average" => Sharpness.Nets.Models.Pooling.Average,
        _ => throw new InvalidOptionException("--pooling", $"expected max or avg, got '{text}'."),
    };

    /// <summary>mse-sum, mse-mean or ce (<c>--loss</c>).</summary>
    public static LossFunction ParseLoss(string text) => text.ToLowerInvariant() switch
    {
        "mse-sum" => LossFunction.HalfSquaredError,
        "mse-mean" => LossFunction.HalfMeanSquaredError,
        "ce" or "cross-entropy" => LossFunction.CrossEntropy,
        _ => throw new InvalidOptionException("--loss", $"expected mse-sum, mse-mean or ce, got '{text}'."),
    };

    /// <summary>float32 or float64, given to <paramref name="option"/>.</summary>
    public static ScalarType ParseDType(string text, string option) => text.ToLowerInvariant() switch
    {
        "float32" => ScalarType.Float32,
        "float64" => ScalarType.Float64,
        _ => throw new InvalidOptionException(option, $"expected float32 or float64, got '{text}'."),
    };

    /// <summary>Parses a comma-separated list of positive finite numbers given to <paramref name="option"/>.</summary>
    public static double[] ParsePositiveList(string text, string option)
    {
        string[] parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0)
        {
            throw new InvalidOptionException(option, "expected a comma-separated list of positive numbers, got nothing.");
        }

        return parts.Select(p => double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out double x)
                ? OptionChecks.Positive(x, option)
                : throw new InvalidOptionException(option, $"expected a comma-separated list of positive numbers, got '{p}'."))
            .ToArray();
    }

    /// <summary>Parses a comma-separated list of integers at least <paramref name="minimum"/> given to <paramref name="option"/>.</summary>
    public static int[] ParseIntList(string text, int minimum, string option)
    {
        string[] parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0)
        {
            throw new InvalidOptionException(option, "expected a comma-separated list of integers, got nothing.");
        }

        return parts.Select(p => int.TryParse(p, NumberStyles.Integer, CultureInfo.InvariantCulture, out int x)
                ? OptionChecks.AtLeast(x, minimum, option)
                : throw new InvalidOptionException(option, $"expected a comma-separated list of integers, got '{p}'."))
            .ToArray();
    }
}
