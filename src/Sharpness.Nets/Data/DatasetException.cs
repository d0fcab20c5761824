namespace Sharpness.Nets.Data;

/// <summary>
/// A data file is missing, truncated or not in the expected format. The message starts with the
/// file's path and says what was expected and what was found, for example
/// "/data/train-images-idx3-ubyte.gz: expected 47040016 bytes after decompression, found 1000".
/// </summary>
public sealed class DatasetException : Exception
{
    /// <summary>Creates the exception for <paramref name="filePath"/>.</summary>
    /// <param name="filePath">The file (or directory) at fault.</param>
    /// <param name="problem">What was expected and what was found.</param>
    /// <param name="innerException">The I/O or decompression error behind it, if any.</param>
    public DatasetException(string filePath, string problem, Exception? innerException = null)
        : base($"{filePath}: {problem}", innerException)
    {
        FilePath = filePath;
        Problem = problem;
    }

    /// <summary>The file (or directory) at fault.</summary>
    public string FilePath { get; }

    /// <summary>The message without the path.</summary>
    public string Problem { get; }
}
