namespace Sharpness.Cli;

/// <summary>Process exit codes of the sharpness command.</summary>
public static class ExitCodes
{
    /// <summary>The command ran (a diverged run is a result, not a failure).</summary>
    public const int Success = 0;

    /// <summary>An unexpected internal error.</summary>
    public const int InternalError = 1;

    /// <summary>Invalid input: bad option values, unreadable files, an output folder that cannot be used.</summary>
    public const int InvalidInput = 2;

    /// <summary>Interrupted (Ctrl-C, SIGINT): the run stopped at a step boundary; a sweep keeps its finished runs and resumes.</summary>
    public const int Interrupted = 130;
}
