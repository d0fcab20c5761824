namespace Sharpness.Cli;

/// <summary>Invalid input from the user: reported as one line naming the option, exit code 2.</summary>
public sealed class UsageException : Exception
{
    /// <summary>Creates the error.</summary>
    /// <param name="option">The option (or argument) at fault, for example "--width".</param>
    /// <param name="message">What was wrong and what was expected.</param>
    public UsageException(string option, string message)
        : base(message)
    {
        Option = option;
    }

    /// <summary>The option at fault.</summary>
    public string Option { get; }

    /// <summary>
    /// The usage error for a library's argument check: the option is <paramref name="option"/>, or
    /// the one <paramref name="options"/> maps the parameter to, or the parameter name in kebab case
    /// ("OutputMultiplier" becomes "--output-multiplier"); the message loses .NET's
    /// "(Parameter 'X')" and "Actual value was V." so it reads as one plain sentence.
    /// </summary>
    /// <param name="exception">The library's exception.</param>
    /// <param name="option">The option, when the caller knows it.</param>
    /// <param name="options">Parameter names mapped to option names, for parameters named differently from their option.</param>
    /// <param name="fallback">The option when the exception names no parameter.</param>
    public static UsageException FromArgument(ArgumentException exception, string? option = null, IReadOnlyDictionary<string, string>? options = null, string fallback = "--options")
    {
        ArgumentNullException.ThrowIfNull(exception);
        string name = option
            ?? (exception.ParamName is { } parameter ? (options is not null && options.TryGetValue(parameter, out string? mapped) ? mapped : Kebab(parameter)) : fallback);
        return new UsageException(name, PlainMessage(exception));
    }

    /// <summary>The message of an argument exception without .NET's parameter and actual-value suffixes.</summary>
    /// <param name="exception">The exception.</param>
    public static string PlainMessage(ArgumentException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        string message = exception.Message;
        int parameter = message.IndexOf(" (Parameter '", StringComparison.Ordinal);
        if (parameter >= 0)
        {
            message = message[..parameter];
        }

        int newline = message.IndexOfAny(['\r', '\n']);
        return (newline >= 0 ? message[..newline] : message).Trim();
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
