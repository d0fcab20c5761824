namespace Sharpness.Experiments;

/// <summary>
/// An option of an experiment has a value it cannot run with. <see cref="Option"/> names the option as
/// the command line and settings files spell it (<c>--lr-constant</c>), so the command line reports it
/// as typed and a web form can mark the field (strip the dashes for the settings-file key).
/// </summary>
/// <remarks>Thrown by an options record's <c>Validate</c> and by the entry points before any work starts; nothing is written.</remarks>
public sealed class InvalidOptionException : ArgumentException
{
    /// <summary>Creates the error.</summary>
    /// <param name="option">The option at fault, for example "--width".</param>
    /// <param name="message">What was wrong and what was expected, one sentence.</param>
    public InvalidOptionException(string option, string message)
        : base(message)
    {
        Option = option;
    }

    /// <summary>The option at fault, as the command line spells it ("--width").</summary>
    public string Option { get; }

    /// <summary>
    /// The error for a library's argument check: the option is <paramref name="option"/>, or the one
    /// <paramref name="options"/> maps the parameter to, or the parameter name in kebab case
    /// ("OutputMultiplier" becomes "--output-multiplier"); the message loses .NET's "(Parameter 'X')"
    /// and "Actual value was V." so it reads as one plain sentence.
    /// </summary>
    /// <param name="exception">The library's exception.</param>
    /// <param name="option">The option, when the caller knows it.</param>
    /// <param name="options">Parameter names mapped to option names, for parameters named differently from their option.</param>
    /// <param name="fallback">The option when the exception names no parameter.</param>
    public static InvalidOptionException FromArgument(ArgumentException exception, string? option = null, IReadOnlyDictionary<string, string>? options = null, string fallback = "--options")
    {
        ArgumentNullException.ThrowIfNull(exception);
        string name = option
            ?? (exception.ParamName is { } parameter ? (options is not null && options.TryGetValue(parameter, out string? mapped) ? mapped : Kebab(parameter)) : fallback);
        string message = exception.Message;
        int suffix = message.IndexOf(" (Parameter '", StringComparison.Ordinal);
        if (suffix >= 0)
        {
            message = message[..suffix];
        }

        int newline = message.IndexOfAny(['\r', '\n']);
        return new InvalidOptionException(name, (newline >= 0 ? message[..newline] : message).Trim());
    }

    private static string Kebab(string parameter)
    {
        var text = new System.Text.StringBuilder("--");
        for (int i = 0; i < parameter.Length; i++)
        {
            char c = parameter[i];
            if (char.IsUpper(c) && i > 0 && !char.IsUpper(parameter[i - 1]))
            {
                text.Append('-');
            }

            text.Append(char.ToLowerInvariant(c));
        }

        return text.ToString();
    }
}
