using Sharpness.Experiments;

namespace Sharpness.Cli.Commands;

/// <summary>
/// Checks of option values for the commands that are not yet library calls: the library's
/// <see cref="OptionChecks"/>, whose <see cref="InvalidOptionException"/> names the option.
/// </summary>
internal static class OptionValues
{
    public static double Positive(double value, string option) => OptionChecks.Positive(value, option);

    public static double Finite(double value, string option) => OptionChecks.Finite(value, option);

    public static double NonNegative(double value, string option) => OptionChecks.NonNegative(value, option);

    public static int AtLeast(int value, int minimum, string option) => OptionChecks.AtLeast(value, minimum, option);

    public static int AtMost(int value, int maximum, string option) => OptionChecks.AtMost(value, maximum, option);

    public static (double Min, double Max) Range(double min, double max, string minOption, string maxOption) => OptionChecks.Range(min, max, minOption, maxOption);

    public static string Text(double value) => OptionChecks.Text(value);
}
