using System.Globalization;
using Sharpness.Runs.Limits;

namespace Sharpness.Experiments;

/// <summary>Checks of option values that throw <see cref="InvalidOptionException"/> naming the option.</summary>
public static class OptionChecks
{
    /// <summary>The value when it is positive and finite.</summary>
    /// <param name="value">The value.</param>
    /// <param name="option">The option, for example "--lr".</param>
    /// <exception cref="InvalidOptionException">It is not.</exception>
    public static double Positive(double value, string option) =>
        value > 0 && double.IsFinite(value) ? value : throw new InvalidOptionException(option, $"must be a positive finite number (got {Text(value)}).");

    /// <summary>The value when it is finite.</summary>
    /// <param name="value">The value.</param>
    /// <param name="option">The option.</param>
    /// <exception cref="InvalidOptionException">It is not.</exception>
    public static double Finite(double value, string option) =>
        double.IsFinite(value) ? value : throw new InvalidOptionException(option, $"must be a finite number (got {Text(value)}).");

    /// <summary>The value when it is non-negative and finite.</summary>
    /// <param name="value">The value.</param>
    /// <param name="option">The option.</param>
    /// <exception cref="InvalidOptionException">It is not.</exception>
    public static double NonNegative(double value, string option) =>
        value >= 0 && double.IsFinite(value) ? value : throw new InvalidOptionException(option, $"must be a non-negative finite number (got {Text(value)}).");

    /// <summary>The value when it is at least <paramref name="minimum"/>.</summary>
    /// <param name="value">The value.</param>
    /// <param name="minimum">The smallest allowed value.</param>
    /// <param name="option">The option.</param>
    /// <exception cref="InvalidOptionException">It is smaller.</exception>
    public static int AtLeast(int value, int minimum, string option) =>
        value >= minimum ? value : throw new InvalidOptionException(option, $"must be at least {minimum} (got {value}).");

    /// <summary>Checks that an integer is at most <paramref name="maximum"/>.</summary>
    /// <param name="value">The value.</param>
    /// <param name="maximum">The largest value allowed.</param>
    /// <param name="option">The option, as typed.</param>
    /// <exception cref="InvalidOptionException">The value is larger.</exception>
    public static int AtMost(int value, int maximum, string option) =>
        value <= maximum ? value : throw new InvalidOptionException(option, $"must be at most {maximum.ToString("N0", CultureInfo.InvariantCulture)} (got {value.ToString("N0", CultureInfo.InvariantCulture)}).");

    /// <summary>Refuses an estimate of memory above the budget (see <see cref="ResourceLimits.RequireMemory"/>).</summary>
    /// <param name="option">The option that drives the estimate, as typed.</param>
    /// <param name="value">Its value in words.</param>
    /// <param name="bytes">The estimate.</param>
    /// <param name="what">What the memory holds.</param>
    /// <exception cref="InvalidOptionException">The estimate exceeds the budget.</exception>
    public static void Memory(string option, string value, double bytes, string what) => Limit(() => ResourceLimits.RequireMemory(option, value, bytes, what));

    /// <summary>Refuses a computation of more than <see cref="ResourceLimits.MaxOperations"/> operations.</summary>
    /// <param name="option">The option that drives the estimate, as typed.</param>
    /// <param name="value">Its value in words.</param>
    /// <param name="operations">The estimate.</param>
    /// <param name="what">What the operations are.</param>
    /// <exception cref="InvalidOptionException">The estimate exceeds the limit.</exception>
    public static void Operations(string option, string value, double operations, string what) => Limit(() => ResourceLimits.RequireOperations(option, value, operations, what));

    /// <summary>Refuses output larger than the free space where <paramref name="folder"/> will be (see <see cref="ResourceLimits.RequireDisk"/>).</summary>
    /// <param name="option">The option that drives the estimate, as typed.</param>
    /// <param name="value">Its value in words.</param>
    /// <param name="bytes">The estimated size.</param>
    /// <param name="folder">The output folder.</param>
    /// <param name="what">What the output is.</param>
    /// <exception cref="Sharpness.Runs.Safety.EnvironmentException">The estimate exceeds the free space: the environment's failure, not an invalid option.</exception>
    public static void Disk(string option, string value, double bytes, string folder, string what) => ResourceLimits.RequireDisk(option, value, bytes, folder, what);

    /// <summary>Refuses a count above a fixed limit.</summary>
    /// <param name="option">The option, as typed.</param>
    /// <param name="value">The count.</param>
    /// <param name="limit">The largest count allowed.</param>
    /// <param name="why">Why the limit is what it is.</param>
    /// <exception cref="InvalidOptionException">The count exceeds the limit.</exception>
    public static void Count(string option, double value, double limit, string why) => Limit(() => ResourceLimits.RequireAtMost(option, value, limit, why));

    /// <summary>Refuses, in float32, a value that float32 cannot hold (see <see cref="ResourceLimits.RequireFloat32"/>).</summary>
    /// <param name="option">The option, as typed.</param>
    /// <param name="value">Its value.</param>
    /// <exception cref="InvalidOptionException">float32 cannot hold the value.</exception>
    public static void Float32(string option, double value) => Limit(() => ResourceLimits.RequireFloat32(option, value));

    /// <summary>Refuses a value that makes a quantity derived from it zero in float32 (see <see cref="ResourceLimits.RequireNonzeroFloat32"/>).</summary>
    /// <param name="option">The option, as typed.</param>
    /// <param name="value">Its value.</param>
    /// <param name="derived">The quantity computed in float32.</param>
    /// <param name="what">What the quantity is.</param>
    /// <exception cref="InvalidOptionException">The quantity rounds to zero in float32.</exception>
    public static void NonzeroFloat32(string option, double value, double derived, string what) => Limit(() => ResourceLimits.RequireNonzeroFloat32(option, value, derived, what));

    private static void Limit(Action check)
    {
        try
        {
            check();
        }
        catch (LimitException e)
        {
            throw new InvalidOptionException(e.Option, e.Message);
        }
    }

    /// <summary>The interval when both ends are finite and <paramref name="max"/> exceeds <paramref name="min"/>.</summary>
    /// <param name="min">Lower end.</param>
    /// <param name="max">Upper end.</param>
    /// <param name="minOption">The option of the lower end.</param>
    /// <param name="maxOption">The option of the upper end.</param>
    /// <exception cref="InvalidOptionException">An end is not finite, or the interval is empty.</exception>
    public static (double Min, double Max) Range(double min, double max, string minOption, string maxOption)
    {
        Finite(min, minOption);
        Finite(max, maxOption);
        return max > min ? (min, max) : throw new InvalidOptionException(maxOption, $"must be greater than {minOption} (got {Text(min)} and {Text(max)}).");
    }

    /// <summary>
    /// The value named by <paramref name="text"/> (compared in lower case) among <paramref name="choices"/>;
    /// the error lists the names: "expected r, eta or c, got 'x'."
    /// </summary>
    /// <typeparam name="T">The type of the values.</typeparam>
    /// <param name="text">The text given.</param>
    /// <param name="option">The option.</param>
    /// <param name="choices">The names and their values, in the order the error lists them.</param>
    /// <exception cref="InvalidOptionException">No choice has that name.</exception>
    public static T Choice<T>(string text, string option, params (string Name, T Value)[] choices)
    {
        ArgumentNullException.ThrowIfNull(text);
        string lower = text.ToLowerInvariant();
        foreach (var (name, value) in choices)
        {
            if (name == lower)
            {
                return value;
            }
        }

        string names = choices.Length == 1 ? choices[0].Name : string.Join(", ", choices[..^1].Select(c => c.Name)) + " or " + choices[^1].Name;
        throw new InvalidOptionException(option, $"expected {names}, got '{lower}'.");
    }

    /// <summary>A number as the messages print it (round-trip precision, invariant culture).</summary>
    /// <param name="value">The number.</param>
    public static string Text(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
