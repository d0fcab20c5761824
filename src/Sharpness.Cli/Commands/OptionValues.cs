using System.Globalization;

namespace Sharpness.Cli.Commands;

/// <summary>Checks of option values that throw <see cref="UsageException"/> naming the option.</summary>
internal static class OptionValues
{
    public static double Positive(double value, string option)
    {
        if (!(value > 0) || !double.IsFinite(value))
        {
            throw new UsageException(option, $"must be a positive finite number (got {Text(value)}).");
        }

        return value;
    }

    public static double Finite(double value, string option)
    {
        if (!double.IsFinite(value))
        {
            throw new UsageException(option, $"must be a finite number (got {Text(value)}).");
        }

        return value;
    }

    public static double NonNegative(double value, string option)
    {
        if (!(value >= 0) || !double.IsFinite(value))
        {
            throw new UsageException(option, $"must be a non-negative finite number (got {Text(value)}).");
        }

        return value;
    }

    public static int AtLeast(int value, int minimum, string option)
    {
        if (value < minimum)
        {
            throw new UsageException(option, $"must be at least {minimum} (got {value}).");
        }

        return value;
    }

    public static int AtMost(int value, int maximum, string option)
    {
        if (value > maximum)
        {
            throw new UsageException(option, $"must be at most {maximum.ToString("N0", CultureInfo.InvariantCulture)} (got {value.ToString("N0", CultureInfo.InvariantCulture)}).");
        }

        return value;
    }

    public static (double Min, double Max) Range(double min, double max, string minOption, string maxOption)
    {
        Finite(min, minOption);
        Finite(max, maxOption);
        if (!(max > min))
        {
            throw new UsageException(maxOption, $"must be greater than {minOption} (got {Text(min)} and {Text(max)}).");
        }

        return (min, max);
    }

    public static string Text(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
