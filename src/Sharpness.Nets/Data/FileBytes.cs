namespace Sharpness.Nets.Data;

/// <summary>
/// Reads a whole data file only when it is a regular file within a size limit: a named pipe or a
/// device (which report no size; <c>/dev/zero</c> never ends) is refused before it is opened, and
/// nothing larger than the file's size is read or allocated.
/// </summary>
internal static class FileBytes
{
    /// <summary>Largest data file read whole: 2 GiB, the most one array can hold.</summary>
    public const long MaxBytes = int.MaxValue;

    /// <summary>Reads <paramref name="path"/> whole.</summary>
    /// <param name="path">Absolute path of the file.</param>
    /// <exception cref="DatasetException">Missing, a folder, empty or not a regular file, too large, or unreadable.</exception>
    public static byte[] Read(string path)
    {
        if (Directory.Exists(path))
        {
            throw new DatasetException(path, "is a folder, not a file.");
        }

        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                throw new DatasetException(path, "does not exist.");
            }

            long length = info.Length;
            if (length == 0)
            {
                throw new DatasetException(path, "is empty, or is not a regular file (a named pipe or a device); give a regular file.");
            }

            if (length > MaxBytes)
            {
                throw new DatasetException(path, $"holds {length:N0} bytes, more than the {MaxBytes:N0} a data file may hold.");
            }

            var content = new byte[length];
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            stream.ReadExactly(content);
            return content;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DatasetException(path, $"cannot be read ({e.Message}).", e);
        }
    }
}
