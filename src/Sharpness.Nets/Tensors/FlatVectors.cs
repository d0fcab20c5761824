using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpness.Nets.Tensors;

/// <summary>
/// Copies between flat <see cref="double"/> vectors (the <see cref="Parameters.ParameterVector"/> layout the
/// eigen-solvers use) and tensors shaped like the parameters, as one block copy through the tensor's memory each way.
/// </summary>
/// <remarks>
/// TorchSharp's element accessor (<c>data&lt;double&gt;().CopyTo</c>) and <c>tensor(array, shape)</c> from a temporary
/// managed array cost about 3 ms each for the 670 k parameters of a 784-512-512-10 MLP, several percent of a
/// Hessian-vector product; the block copies here take about 0.1 ms. Only tensors that own their memory from offset 0
/// and are contiguous are copied through <see cref="Tensor.bytes"/>; anything else is made so first.
/// </remarks>
internal static class FlatVectors
{
    /// <summary>
    /// Pieces of <paramref name="source"/> shaped like <paramref name="like"/> (consecutive, in order) and of type
    /// <paramref name="dtype"/>. In float64 the pieces are views of one tensor holding a copy of the source.
    /// </summary>
    /// <param name="source">Values, length exactly Σ numel(like[i]).</param>
    /// <param name="like">Tensors whose shapes the pieces take.</param>
    /// <param name="dtype">Float64 or Float32.</param>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    public static Tensor[] Split(ReadOnlySpan<double> source, IReadOnlyList<Tensor> like, ScalarType dtype)
    {
        ArgumentNullException.ThrowIfNull(like);
        long total = like.Sum(t => t.numel());
        if (total != source.Length)
        {
            throw new ArgumentException($"Expected {total} values (the tensors' total size), got {source.Length}.", nameof(source));
        }

        Tensor flat = empty(source.Length, ScalarType.Float64);
        MemoryMarshal.AsBytes(source).CopyTo(flat.bytes);
        var pieces = new Tensor[like.Count];
        long offset = 0;
        for (int i = 0; i < pieces.Length; i++)
        {
            long n = like[i].numel();
            Tensor piece = flat.narrow(0, offset, n).view(like[i].shape);
            pieces[i] = dtype == ScalarType.Float64 ? piece : piece.to(dtype);
            offset += n;
        }

        return pieces;
    }

    /// <summary>Writes the values of <paramref name="pieces"/>, flattened in order, into <paramref name="destination"/> as float64.</summary>
    /// <param name="pieces">Tensors on the CPU of any floating type.</param>
    /// <param name="destination">Length exactly Σ numel(pieces[i]).</param>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    public static void CopyTo(IReadOnlyList<Tensor> pieces, Span<double> destination)
    {
        ArgumentNullException.ThrowIfNull(pieces);
        long total = pieces.Sum(t => t.numel());
        if (total != destination.Length)
        {
            throw new ArgumentException($"Expected room for {total} values (the tensors' total size), got {destination.Length}.", nameof(destination));
        }

        int offset = 0;
        foreach (Tensor piece in pieces)
        {
            int n = (int)piece.numel();
            CopyTo(piece, destination.Slice(offset, n));
            offset += n;
        }
    }

    /// <summary>Writes the values of <paramref name="source"/>, flattened, into <paramref name="destination"/> as float64.</summary>
    /// <param name="source">A tensor on the CPU of any floating type.</param>
    /// <param name="destination">Length exactly numel(source).</param>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    public static void CopyTo(Tensor source, Span<double> destination)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.numel() != destination.Length)
        {
            throw new ArgumentException($"Expected room for {source.numel()} values, got {destination.Length}.", nameof(destination));
        }

        using var scope = NewDisposeScope();
        Tensor values = source.detach().to(ScalarType.Float64).contiguous();
        if (values.storage_offset() != 0)
        {
            values = values.clone();
        }

        MemoryMarshal.Cast<byte, double>(values.bytes).CopyTo(destination);
    }
}
