using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Sharpness.Nets.Parameters;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpness.Nets.Checkpoints;

/// <summary>
/// Writes and reads tensors in the safetensors format (an 8-byte little-endian header length, a JSON header
/// mapping each tensor name to its dtype, shape and byte range, then the raw little-endian data), which PyTorch
/// loads with <c>safetensors.torch.load_file</c>. Checkpoints store a module's tensors under its own names, in
/// ordinal order of the names; data files hold named tensors of any of the format's numeric types.
/// </summary>
public static class Safetensors
{
    private static readonly (string Code, ScalarType Type, int Size)[] Types =
    [
        ("F64", ScalarType.Float64, 8), ("F32", ScalarType.Float32, 4), ("F16", ScalarType.Float16, 2), ("BF16", ScalarType.BFloat16, 2),
        ("I64", ScalarType.Int64, 8), ("I32", ScalarType.Int32, 4), ("I16", ScalarType.Int16, 2), ("I8", ScalarType.Int8, 1),
        ("U8", ScalarType.Byte, 1), ("BOOL", ScalarType.Bool, 1),
    ];

    /// <summary>Serialises every parameter of <paramref name="module"/> under its name.</summary>
    /// <param name="module">The model.</param>
    /// <param name="metadata">String metadata stored under "__metadata__" (for example the architecture as JSON), or null.</param>
    /// <returns>The file content.</returns>
    public static byte[] Serialise(nn.Module module, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        return Serialise(ParameterVector.Ordered(module).Select(p => (p.Name, (Tensor)p.Parameter)).ToList(), metadata);
    }

    /// <summary>
    /// An upper estimate of the size of <see cref="Serialise(nn.Module, IReadOnlyDictionary{string, string}?)"/>'s
    /// file for <paramref name="module"/>, without serialising it: the parameters' bytes, a header
    /// entry of at most 256 bytes per tensor and <paramref name="metadataBytes"/> of metadata.
    /// </summary>
    /// <param name="module">The model.</param>
    /// <param name="metadataBytes">The metadata's size (for example the architecture as JSON); 16 KiB by default.</param>
    /// <returns>The estimated file size in bytes.</returns>
    public static double EstimatedBytes(nn.Module module, double metadataBytes = 16 * 1024)
    {
        ArgumentNullException.ThrowIfNull(module);
        double bytes = 8 + metadataBytes;
        foreach (var (_, parameter) in ParameterVector.Ordered(module))
        {
            bytes += 256 + ((double)parameter.numel() * parameter.element_size());
        }

        return bytes;
    }

    /// <summary>
    /// Serialises named tensors (stored in ordinal order of the names), for example a module's parameters and
    /// buffers as PyTorch's <c>state_dict()</c> has them.
    /// </summary>
    /// <param name="tensors">Names and CPU tensors of a type the format has (float64/32/16, bfloat16, int64/32/16/8, uint8, bool).</param>
    /// <param name="metadata">String metadata stored under "__metadata__", or null.</param>
    /// <returns>The file content.</returns>
    /// <exception cref="ArgumentException">Two tensors have the same name.</exception>
    /// <exception cref="NotSupportedException">A tensor has a type the format does not have.</exception>
    public static byte[] Serialise(IReadOnlyList<(string Name, Tensor Value)> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var header = new JsonObject();
        if (metadata is { Count: > 0 })
        {
            header["__metadata__"] = new JsonObject(metadata.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value))));
        }

        var blobs = new List<byte[]>();
        long offset = 0;
        foreach (var (name, value) in tensors.OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            if (header.ContainsKey(name))
            {
                throw new ArgumentException($"Two tensors are named '{name}'.", nameof(tensors));
            }

            using var scope = NewDisposeScope();
            var (code, _, _) = Types.FirstOrDefault(t => t.Type == value.dtype);
            if (code is null)
            {
                throw new NotSupportedException($"Tensor '{name}' has type {value.dtype}, which the safetensors format does not have.");
            }

            // A fresh contiguous copy owns its memory from offset 0, so its bytes are exactly the tensor's.
            Tensor contiguous = value.detach().cpu().contiguous().clone();
            byte[] bytes = contiguous.numel() == 0 ? [] : contiguous.bytes.ToArray();
            header[name] = new JsonObject
            {
                ["dtype"] = code,
                ["shape"] = new JsonArray(value.shape.Select(d => (JsonNode?)JsonValue.Create(d)).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + bytes.Length),
            };
            offset += bytes.Length;
            blobs.Add(bytes);
        }

        byte[] headerBytes = Encoding.UTF8.GetBytes(header.ToJsonString());
        int padding = (8 - (headerBytes.Length % 8)) % 8;
        using var stream = new MemoryStream();
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)(headerBytes.Length + padding));
        stream.Write(length);
        stream.Write(headerBytes);
        for (int i = 0; i < padding; i++)
        {
            stream.WriteByte((byte)' ');
        }

        foreach (byte[] blob in blobs)
        {
            stream.Write(blob);
        }

        return stream.ToArray();
    }

    /// <summary>Reads a safetensors file's floating-point tensors as flat double arrays with their shapes (for checks and tools).</summary>
    /// <param name="content">The file content.</param>
    /// <exception cref="InvalidDataException">The content is not a valid safetensors file, or a tensor is not floating point.</exception>
    public static IReadOnlyDictionary<string, (long[] Shape, double[] Values)> Read(byte[] content)
    {
        var result = new Dictionary<string, (long[], double[])>(StringComparer.Ordinal);
        foreach (SafetensorsEntry entry in ReadEntries(content))
        {
            if (entry.DType is not ("F32" or "F64"))
            {
                throw new InvalidDataException($"Tensor '{entry.Name}' has type {entry.DType}; expected F32 or F64.");
            }

            using var scope = NewDisposeScope();
            using Tensor values = entry.ToTensor();
            result[entry.Name] = (entry.Shape, values.to(ScalarType.Float64).contiguous().data<double>().ToArray());
        }

        return result;
    }

    /// <summary>
    /// Parses a safetensors file: every tensor's name, type, shape and bytes, checked against the format (offsets
    /// inside the data, byte counts matching the shapes, known types).
    /// </summary>
    /// <param name="content">The file content.</param>
    /// <returns>The tensors in the order of the header.</returns>
    /// <exception cref="InvalidDataException">The content is not a valid safetensors file; the message says what is wrong.</exception>
    public static IReadOnlyList<SafetensorsEntry> ReadEntries(byte[] content)
    {
        ArgumentNullException.ThrowIfNull(content);
        JsonObject header = ReadHeader(content, out int dataStart);
        long dataLength = content.Length - dataStart;
        var entries = new List<SafetensorsEntry>();
        foreach (var (name, node) in header)
        {
            if (name == "__metadata__")
            {
                continue;
            }

            try
            {
                string dtype = node!["dtype"]!.GetValue<string>();
                var type = Types.FirstOrDefault(t => t.Code == dtype);
                if (type.Code is null)
                {
                    throw new InvalidDataException($"tensor '{name}' has type {dtype}, which is not supported (F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL).");
                }

                long[] shape = node["shape"]!.AsArray().Select(d => d!.GetValue<long>()).ToArray();
                var offsets = node["data_offsets"]!.AsArray();
                long begin = offsets[0]!.GetValue<long>();
                long end = offsets[1]!.GetValue<long>();
                if (shape.Any(d => d < 0) || offsets.Count != 2)
                {
                    throw new InvalidDataException($"tensor '{name}' has a malformed shape or offsets.");
                }

                long count = shape.Aggregate(1L, (a, b) => checked(a * b));
                if (begin < 0 || end < begin || end > dataLength || end - begin != checked(count * type.Size))
                {
                    throw new InvalidDataException(
                        $"tensor '{name}' ({dtype} [{string.Join(", ", shape)}]) needs {count * type.Size} bytes but its offsets [{begin}, {end}] give {end - begin} of the {dataLength} data bytes.");
                }

                entries.Add(new SafetensorsEntry(name, dtype, type.Type, shape, new ReadOnlyMemory<byte>(content, dataStart + (int)begin, (int)(end - begin))));
            }
            catch (Exception e) when (e is InvalidOperationException or NullReferenceException or FormatException or OverflowException or ArgumentException)
            {
                throw new InvalidDataException($"tensor '{name}' has a malformed header entry ({e.Message}).", e);
            }
        }

        return entries;
    }

    /// <summary>The "__metadata__" strings of a safetensors file (empty when absent).</summary>
    /// <param name="content">The file content.</param>
    /// <exception cref="InvalidDataException">The content is not a valid safetensors file.</exception>
    public static IReadOnlyDictionary<string, string> Metadata(byte[] content)
    {
        ArgumentNullException.ThrowIfNull(content);
        var header = ReadHeader(content, out _);
        return header["__metadata__"] is JsonObject metadata
            ? metadata.ToDictionary(kv => kv.Key, kv => kv.Value!.GetValue<string>(), StringComparer.Ordinal)
            : new Dictionary<string, string>();
    }

    private static JsonObject ReadHeader(byte[] content, out int dataStart)
    {
        if (content.Length < 8)
        {
            throw new InvalidDataException("a safetensors file starts with an 8-byte header length, but the file is shorter.");
        }

        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(content);
        if (headerLength > (ulong)(content.Length - 8))
        {
            throw new InvalidDataException($"the header length {headerLength} exceeds the file ({content.Length} bytes): not a safetensors file.");
        }

        try
        {
            dataStart = 8 + (int)headerLength;
            return JsonNode.Parse(Encoding.UTF8.GetString(content, 8, (int)headerLength)) as JsonObject
                ?? throw new InvalidDataException("the header is not a JSON object: not a safetensors file.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"the header is not valid JSON ({e.Message}): not a safetensors file.", e);
        }
    }
}

/// <summary>One tensor of a safetensors file, as <see cref="Safetensors.ReadEntries"/> found it.</summary>
/// <param name="Name">Its name.</param>
/// <param name="DType">Its type code in the file ("F32", "I64", …).</param>
/// <param name="Type">The LibTorch type of the same layout.</param>
/// <param name="Shape">Its shape.</param>
/// <param name="Data">Its little-endian bytes (a view of the file content).</param>
public sealed record SafetensorsEntry(string Name, string DType, ScalarType Type, long[] Shape, ReadOnlyMemory<byte> Data)
{
    /// <summary>The tensor in LibTorch, of <see cref="Type"/> and <see cref="Shape"/>, holding a copy of the bytes.</summary>
    public Tensor ToTensor()
    {
        Tensor tensor = empty(Shape, Type);
        if (Data.Length > 0)
        {
            Data.Span.CopyTo(tensor.bytes);
        }

        return tensor;
    }
}
