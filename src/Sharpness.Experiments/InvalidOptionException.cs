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
}
