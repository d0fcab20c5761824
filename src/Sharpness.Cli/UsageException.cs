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
}
