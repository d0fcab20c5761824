using System.Globalization;

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
