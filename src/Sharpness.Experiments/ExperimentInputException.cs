namespace Sharpness.Experiments;

/// <summary>
/// An experiment cannot run on the input it was given: a setting is out of range, a file is missing or malformed, or a
/// model does not fit its data. <see cref="Option"/> names the property of the options record at fault, so a caller
/// (the command line, a web form) can point at the field the user typed; the message is one sentence saying what is
/// wrong.
/// </summary>
public sealed class ExperimentInputException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="option">The options property at fault (for example <c>nameof(SpectrumOptions.DataFile)</c>).</param>
    /// <param name="message">What is wrong, one line.</param>
    /// <param name="innerException">The error behind it, if any.</param>
    public ExperimentInputException(string option, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Option = option;
    }

    /// <summary>The options property at fault.</summary>
    public string Option { get; }
}
