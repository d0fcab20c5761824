using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using static TorchSharp.torch;

namespace Sharpness.Nets.Data;

/// <summary>
/// Reads NumPy's .npy format (what <c>numpy.save</c> writes): the magic string, a version, a header dictionary with
/// <c>descr</c>, <c>fortran_order</c> and <c>shape</c>, then the raw data. Little-endian floating-point, integer and
/// boolean arrays in C order are read; anything else is refused with the reason.
/// </summary>
public static partial class NpyArray
{
    private static readonly Dictionary<string, (ScalarType Type, int Size)> Types = new(StringComparer.Ordinal)
    {
        ["<f8"] = (ScalarType.Float64, 8), ["<f4"] = (ScalarType.Float32, 4), ["<f2"] = (ScalarType.Float16, 2),
        ["<i8"] = (ScalarType.Int64, 8), ["<i4"] = (ScalarType.Int32, 4), ["<i2"] = (ScalarType.Int16, 2), ["|i1"] = (ScalarType.Int8, 1),
        ["|u1"] = (ScalarType.Byte, 1), ["|b1"] = (ScalarType.Bool, 1),
    };

    /// <summary>Reads an .npy file into a new tensor of the matching type and shape.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The array as a tensor (the caller owns it).</returns>
    /// <exception cref="DatasetException">The file cannot be read or is not an .npy array the toolkit reads; the message says why.</exception>
    public static Tensor Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string full = Path.GetFullPath(path);
        byte[] content = FileBytes.Read(full);

        if (content.Length < 10 || content[0] != 0x93 || Encoding.ASCII.GetString(content, 1, 5) != "NUMPY")
        {
            throw new DatasetException(full, "is not an .npy file (it does not start with \\x93NUMPY); save arrays with numpy.save.");
        }

        int major = content[6];
        int headerLength;
        int headerStart;
        if (major == 1)
        {
            headerLength = content[8] | (content[9] << 8);
            headerStart = 10;
        }
        else if (major is 2 or 3 && content.Length >= 12)
        {
            headerLength = checked((int)BitConverter.ToUInt32(content, 8));
            headerStart = 12;
        }
        else
        {
            throw new DatasetException(full, $"has .npy format version {major}, which is not known here (1, 2 and 3 are).");
        }

        if (headerStart + headerLength > content.Length)
        {
            throw new DatasetException(full, "is truncated: the header runs past the end of the file.");
        }

        string header = Encoding.Latin1.GetString(content, headerStart, headerLength);
        string? descr = Field(DescrPattern(), header);
        string? order = Field(OrderPattern(), header);
        string? shapeText = Field(ShapePattern(), header);
        if (descr is null || order is null || shapeText is null)
        {
            throw new DatasetException(full, $"has a malformed .npy header: {header.Trim()}");
        }

        if (!Types.TryGetValue(descr, out var type))
        {
            throw new DatasetException(full, $"holds an array of type '{descr}'; the toolkit reads little-endian float64/32/16, int64/32/16/8, uint8 and bool arrays.");
        }

        if (order == "True")
        {
            throw new DatasetException(full, "holds an array in Fortran order; save numpy.ascontiguousarray(array) instead.");
        }

        long[] shape = shapeText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(d => long.Parse(d, NumberStyles.Integer, CultureInfo.InvariantCulture)).ToArray();
        long count = shape.Aggregate(1L, (a, b) => checked(a * b));
        int dataStart = headerStart + headerLength;
        if (content.Length - dataStart != count * type.Size)
        {
            throw new DatasetException(full, $"should hold {count * type.Size} data bytes for shape ({shapeText}) of '{descr}', but has {content.Length - dataStart}.");
        }

        Tensor tensor = empty(shape, type.Type);
        if (count > 0)
        {
            content.AsSpan(dataStart).CopyTo(tensor.bytes);
        }

        return tensor;
    }

    private static string? Field(Regex pattern, string header) => pattern.Match(header) is { Success: true } m ? m.Groups[1].Value : null;

    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")]
    private static partial Regex OrderPattern();

    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
