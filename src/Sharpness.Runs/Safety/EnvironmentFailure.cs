namespace Sharpness.Runs.Safety;

/// <summary>
/// The machine, not the input or the toolkit, stopped the work: a full disk or quota, permission
/// denied, a read-only file system, an input/output error, a path the file system cannot hold. The
/// message is one line naming the path and the cause.
/// </summary>
public sealed class EnvironmentException : IOException
{
    /// <summary>Creates the error.</summary>
    /// <param name="path">The path the operation failed on.</param>
    /// <param name="cause">The cause in plain words, for example "no space left on device".</param>
    public EnvironmentException(string path, string cause)
        : base($"{cause}: '{path}'")
    {
        PathName = path;
        Cause = cause;
    }

    /// <summary>Creates the error with a message of its own (one line), for a failure found before it happens.</summary>
    /// <param name="path">The path concerned.</param>
    /// <param name="cause">The cause in plain words, for example "not enough free space".</param>
    /// <param name="message">The whole message, naming the path and the cause.</param>
    public EnvironmentException(string path, string cause, string message)
        : base(message)
    {
        PathName = path;
        Cause = cause;
    }

    /// <summary>The path the operation failed on.</summary>
    public string PathName { get; }

    /// <summary>The cause in plain words.</summary>
    public string Cause { get; }
}

/// <summary>Tells failures of the environment (disk, permissions, file system) from input errors and bugs.</summary>
public static class EnvironmentFailure
{
    /// <summary>
    /// A one-line description of <paramref name="exception"/> when it is a failure of the
    /// environment (<see cref="EnvironmentException"/>; an I/O error whose errno is ENOSPC, EDQUOT,
    /// EROFS, EIO, EACCES, EPERM, EMFILE, ENFILE or ENAMETOOLONG; permission denied; a path too
    /// long), else null.
    /// </summary>
    /// <param name="exception">Any exception.</param>
    public static string? Describe(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        switch (exception)
        {
            case EnvironmentException e:
                return e.Message;
            case FolderInUseException:
                return null;
            case PathTooLongException e:
                return $"file name too long: {QuotedPath(e.Message) ?? e.Message}";
            case UnauthorizedAccessException e:
                return "permission denied: " + (QuotedPath(e.Message) is { } denied ? denied : e.Message);
            case IOException e when Cause(e.HResult) is { } cause:
                return $"{cause}: {PathOf(e.Message)}";
            default:
                return exception.InnerException is { } inner ? Describe(inner) : null;
        }
    }

    /// <summary>The exception for a failed system call: an <see cref="EnvironmentException"/> when the errno is one of the environment's.</summary>
    /// <param name="errno">The error number.</param>
    /// <param name="path">The path of the call.</param>
    /// <param name="action">What was attempted, for other errors.</param>
    public static IOException FromErrno(int errno, string path, string action) => Cause(errno) is { } cause
        ? new EnvironmentException(path, cause)
        : new IOException($"{action} '{path}' (error {errno}).");

    /// <summary>The plain words for an errno of the environment, or null.</summary>
    /// <param name="errno">An error number (Linux numbering, which .NET puts in IOException.HResult on Unix).</param>
    public static string? Cause(int errno) => errno switch
    {
        1 or 13 => "permission denied",
        5 => "input/output error",
        23 or 24 => "too many open files",
        28 => "no space left on device",
        30 => "read-only file system",
        36 => "file name too long",
        122 => "disk quota exceeded",
        _ => null,
    };

    private static string PathOf(string message)
    {
        // .NET on Unix: "No space left on device : '/path'".
        int at = message.IndexOf(" : '", StringComparison.Ordinal);
        return at >= 0 ? message[(at + 3)..] : QuotedPath(message) ?? message;
    }

    private static string? QuotedPath(string message)
    {
        int first = message.IndexOf('\'', StringComparison.Ordinal);
        int last = message.LastIndexOf('\'');
        return first >= 0 && last > first ? message[first..(last + 1)] : null;
    }
}
