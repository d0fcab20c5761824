using Sharpness.Nets.Tensors;
using Sharpness.Uv.Model;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Sharpness.Nets.Models;

/// <summary>
/// The UV model as a TorchSharp module: f(x) = vᵀ U x / S with U ∈ R^{n×d} (parameter "u") and
/// v ∈ R^n (parameter "v"), the same function as <see cref="UvFullNetwork"/> (uv-model.md section 1).
/// </summary>
/// <remarks>
/// The flattened parameter vector (<see cref="Parameters.ParameterVector"/>) is [vec(U) row-major; v];
/// for d = 1 with x = [1] it is the [u; v] layout of <see cref="UvHessianOperator"/>.
/// </remarks>
public sealed class UvModule : NetworkModule
{
    private readonly Parameter _u;
    private readonly Parameter _v;

    /// <summary>Creates the module from explicit weights.</summary>
    /// <param name="u">U, n rows by d columns (copied).</param>
    /// <param name="v">v, length n (copied).</param>
    /// <param name="normaliser">Output normaliser S &gt; 0 (not divided by |x|).</param>
    /// <param name="dtype">Float32 or Float64 (default Float64).</param>
    /// <exception cref="ArgumentException">Empty or mismatched weights, non-finite values.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="normaliser"/> is not positive and finite.</exception>
    public UvModule(double[,] u, double[] v, double normaliser, ScalarType dtype = ScalarType.Float64)
        : base(nameof(UvModule), dtype)
    {
        ArgumentNullException.ThrowIfNull(u);
        ArgumentNullException.ThrowIfNull(v);
        int n = v.Length;
        int d = u.GetLength(1);
        if (n == 0 || d == 0 || u.GetLength(0) != n)
        {
            throw new ArgumentException($"U must be n×d and v of length n with n, d ≥ 1 (got U {u.GetLength(0)}×{d}, v {n}).", nameof(u));
        }

        if (!(normaliser > 0) || !double.IsFinite(normaliser))
        {
            throw new ArgumentOutOfRangeException(nameof(normaliser), normaliser, "The normaliser S must be positive and finite.");
        }

        double[] flatU = u.Cast<double>().ToArray();
        if (!flatU.All(double.IsFinite) || !v.All(double.IsFinite))
        {
            throw new ArgumentException("The weights must be finite.", nameof(u));
        }

        Width = n;
        InputDimension = d;
        Normaliser = normaliser;
        _u = CreateParameter(flatU, [n, d], dtype);
        _v = CreateParameter((double[])v.Clone(), [n], dtype);
        register_parameter("u", _u);
        register_parameter("v", _v);
    }

    /// <summary>Width n.</summary>
    public int Width { get; }

    /// <summary>Output normaliser S.</summary>
    public double Normaliser { get; }

    /// <inheritdoc />
    public override int InputDimension { get; }

    /// <inheritdoc />
    public override int OutputDimension => 1;

    /// <summary>
    /// The module with the initial weights of <paramref name="config"/>: the same draw (or explicit
    /// weights) as <see cref="UvFullNetwork.Create"/> and <see cref="UvNetwork.Create"/>, and S =
    /// <see cref="UvModelConfig.Normaliser"/>. The input x and target y of the config are data, not
    /// part of the module.
    /// </summary>
    /// <param name="config">A configuration; validated here.</param>
    /// <param name="dtype">Float32 or Float64 (default Float64).</param>
    public static UvModule Create(UvModelConfig config, ScalarType dtype = ScalarType.Float64)
    {
        var network = UvFullNetwork.Create(config);
        var u = new double[network.Width, network.InputDimension];
        var v = new double[network.Width];
        for (int i = 0; i < network.Width; i++)
        {
            v[i] = network.VAt(i);
            for (int j = 0; j < network.InputDimension; j++)
            {
                u[i, j] = network.UAt(i, j);
            }
        }

        return new UvModule(u, v, network.Normaliser, dtype);
    }

    /// <summary>Outputs f = vᵀUx / S as [B, 1] for inputs [B, d] of <see cref="NetworkModule.DType"/>.</summary>
    /// <param name="input">A batch [B, d].</param>
    /// <exception cref="ArgumentException">Wrong shape or type.</exception>
    public override Tensor forward(Tensor input)
    {
        ValidateInput(input);
        return input.matmul(_u.t()).matmul(_v).DivBy(Normaliser).unsqueeze(1);
    }

    /// <inheritdoc />
    protected override NetworkModule CreateEmpty(ScalarType dtype) =>
        new UvModule(new double[Width, InputDimension], new double[Width], Normaliser, dtype);
}
