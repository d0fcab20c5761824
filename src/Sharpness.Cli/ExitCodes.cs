namespace Sharpness.Cli;

/// <summary>Process exit codes of the sharpness command (README.md and docs/limits.md list them).</summary>
public static class ExitCodes
{
    /// <summary>The command ran (a diverged run is a result, not a failure).</summary>
    public const int Success = 0;

    /// <summary>An internal error (a bug), or, for <c>sweep run</c>, a point that failed.</summary>
    public const int InternalError = 1;

    /// <summary>Invalid input: bad option values, unreadable or oversized files, an output folder that cannot be used or is in use by another process.</summary>
    public const int InvalidInput = 2;

    /// <summary>The environment failed: no space left, quota exceeded, permission denied, read-only file system, an input/output error. Rerun once the cause is removed; the run resumes.</summary>
    public const int EnvironmentFailure = 3;

    /// <summary>Interrupted (Ctrl-C, SIGINT): the run stopped at a step boundary; a sweep keeps its finished runs and resumes.</summary>
    public const int Interrupted = 130;
}
