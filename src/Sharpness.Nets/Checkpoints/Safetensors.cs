using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Sharpness.Nets.Parameters;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpness.Nets.Checkpoints;

/// <summary>
/// Writes and reads model weights in the safetensors format (an 8-byte little-endian header length,
/// a JSON header mapping each tensor name to its dtype ("F32"/"F64"), shape and byte range, then the
/// raw little-endian data), which PyTorch loads with <c>safetensors.torch.load_file</c>. Tensors are
/// stored under the module's parameter names, in ordinal order of the names.
/// </summary>
public static class Safetensors
{
    /// <summary>Serialises every parameter of <paramref name="module"/>.</summary>
    /// <param name="module">The model.</param>
    /// <param name="metadata">String metadata stored under "__metadata__" (for example the architecture as JSON), or null.</param>
    /// <returns>The file content.</returns>
    public static byte[] Serialise(nn.Module module, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        var header = new JsonObject();
        if (metadata is { Count: > 0 })
        {
            header["__metadata__"] = new JsonObject(metadata.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value))));
        }

        var blobs = new List<byte[]>();
        long offset = 0;
        foreach (var (name, parameter) in ParameterVector.Ordered(module))
        {
            using var scope = NewDisposeScope();
            var (code, size) = parameter.dtype switch
            {
                ScalarType.Float32 => ("F32", 4),
                ScalarType.Float64 => ("F64", 8),
                var other => throw new NotSupportedException($"Parameter '{name}' has type {other}; checkpoints hold float32 or float64."),
            };
            var contiguous = parameter.detach().contiguous().cpu();
            byte[] bytes = new byte[contiguous.numel() * size];
            if (size == 4)
            {
                float[] values = contiguous.data<float>().ToArray();
                for (int i = 0; i < values.Length; i++)
                {
                    BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), values[i]);
                }
            }
            else
            {
                double[] values = contiguous.data<double>().ToArray();
                for (int i = 0; i < values.Length; i++)
                {
                    BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(8 * i), values[i]);
                }
            }

            header[name] = new JsonObject
            {
                ["dtype"] = code,
                ["shape"] = new JsonArray(parameter.shape.Select(d => (JsonNode?)JsonValue.Create(d)).ToArray()),
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

    /// <summary>Reads a safetensors file's tensors as flat double arrays with their shapes (for checks and tools).</summary>
    /// <param name="content">The file content.</param>
    /// <exception cref="InvalidDataException">The content is not a valid safetensors file.</exception>
    public static IReadOnlyDictionary<string, (long[] Shape, double[] Values)> Read(byte[] content)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (content.Length < 8)
        {
            throw new InvalidDataException("A safetensors file starts with an 8-byte header length.");
        }

        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(content);
        if (headerLength > (ulong)(content.Length - 8))
        {
            throw new InvalidDataException($"Header length {headerLength} exceeds the file.");
        }

        var header = JsonNode.Parse(Encoding.UTF8.GetString(content, 8, (int)headerLength))!.AsObject();
        int dataStart = 8 + (int)headerLength;
        var result = new Dictionary<string, (long[], double[])>(StringComparer.Ordinal);
        foreach (var (name, node) in header)
        {
            if (name == "__metadata__")
            {
                continue;
            }

            string dtype = node!["dtype"]!.GetValue<string>();
            long[] shape = node["shape"]!.AsArray().Select(d => d!.GetValue<long>()).ToArray();
            long begin = node["data_offsets"]![0]!.GetValue<long>();
            long end = node["data_offsets"]![1]!.GetValue<long>();
            int size = dtype switch { "F32" => 4, "F64" => 8, _ => throw new InvalidDataException($"Unsupported dtype {dtype}.") };
            double elements = shape.Aggregate(1.0, (product, d) => product * d);
            if (begin < 0 || end < begin || end > content.Length - dataStart || shape.Any(d => d < 0) || elements * size != end - begin)
            {
                throw new InvalidDataException($"Tensor '{name}': offsets [{begin}, {end}) and shape [{string.Join(", ", shape)}] do not fit the {content.Length - dataStart} data bytes.");
            }

            var span = content.AsSpan(dataStart + (int)begin, (int)(end - begin));
            var values = new double[span.Length / size];
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = size == 4 ? BinaryPrimitives.ReadSingleLittleEndian(span[(4 * i)..]) : BinaryPrimitives.ReadDoubleLittleEndian(span[(8 * i)..]);
            }

            result[name] = (shape, values);
        }

        return result;
    }

    /// <summary>The "__metadata__" strings of a safetensors file (empty when absent).</summary>
    /// <param name="content">The file content.</param>
    public static IReadOnlyDictionary<string, string> Metadata(byte[] content)
    {
        ArgumentNullException.ThrowIfNull(content);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(content);
        var header = JsonNode.Parse(Encoding.UTF8.GetString(content, 8, (int)headerLength))!.AsObject();
        return header["__metadata__"] is JsonObject metadata
            ? metadata.ToDictionary(kv => kv.Key, kv => kv.Value!.GetValue<string>(), StringComparer.Ordinal)
            : new Dictionary<string, string>();
    }
}
