using System.Numerics.Tensors;
using Sharpness.Core.LinearAlgebra;

namespace Sharpness.Uv.Model;

/// <summary>
/// The exact Hessian of the UV model's loss in (u, v) as a matrix-free operator of size 2n, with
/// vectors laid out as [δu; δv] (uv-model.md section 4):
/// H [a; b] = ((v·a + u·b)/s²) [v; u] + (Δf/s) [b; a] + γ [a; b].
/// </summary>
/// <remarks>
/// The weights are copied at construction, so the operator is the Hessian at that point even if
/// the network keeps training. With γ = 0 (the default) it is the Hessian of the data loss
/// ½(f − y)², whose top eigenvalue is <see cref="Dynamics.UvSharpness.Hessian"/>.
/// </remarks>
public sealed class UvHessianOperator : ILinearOperator
{
    private readonly double[] _u;
    private readonly double[] _v;
    private readonly double _s;
    private readonly double _residualOverS;
    private readonly double _weightDecay;

    /// <summary>The Hessian at the current weights of <paramref name="network"/>.</summary>
    /// <param name="network">The reduced UV model.</param>
    /// <param name="target">y.</param>
    /// <param name="weightDecay">γ ≥ 0 added on the diagonal (default 0: data loss only).</param>
    public UvHessianOperator(UvNetwork network, double target, double weightDecay = 0)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentOutOfRangeException.ThrowIfNegative(weightDecay);
        _u = network.U.ToArray();
        _v = network.V.ToArray();
        _s = network.Normaliser;
        _residualOverS = (network.Output - target) / _s;
        _weightDecay = weightDecay;
    }

    /// <inheritdoc />
    public int Size => 2 * _u.Length;

    /// <inheritdoc />
    public void Apply(ReadOnlySpan<double> input, Span<double> output)
    {
        if (input.Length != Size || output.Length != Size)
        {
            throw new ArgumentException($"Expected vectors of length {Size}, got input {input.Length} and output {output.Length}.");
        }

        int n = _u.Length;
        ReadOnlySpan<double> a = input[..n];
        ReadOnlySpan<double> b = input[n..];
        Span<double> outU = output[..n];
        Span<double> outV = output[n..];
        double jv = (TensorPrimitives.Dot(_v, a) + TensorPrimitives.Dot(_u, b)) / (_s * _s);

        // out_u = jv v + (Δf/s) b + γ a ;  out_v = jv u + (Δf/s) a + γ b
        TensorPrimitives.Multiply(_v, jv, outU);
        TensorPrimitives.MultiplyAdd(b, _residualOverS, outU, outU);
        TensorPrimitives.Multiply(_u, jv, outV);
        TensorPrimitives.MultiplyAdd(a, _residualOverS, outV, outV);
        if (_weightDecay != 0)
        {
            TensorPrimitives.MultiplyAdd(a, _weightDecay, outU, outU);
            TensorPrimitives.MultiplyAdd(b, _weightDecay, outV, outV);
        }
    }
}
