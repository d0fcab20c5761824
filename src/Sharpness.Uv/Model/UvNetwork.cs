using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Sharpness.Core.Random;

namespace Sharpness.Uv.Model;

/// <summary>
/// The UV model reduced to the moving directions (uv-model.md section 1): u = U x / |x| ∈ Rⁿ,
/// v ∈ Rⁿ, output f = u·v / s with the effective normaliser s = S / |x|. Gradient descent on
/// (U, v) is exactly gradient descent on (u, v); the rest of U has zero gradient and curvature.
/// </summary>
/// <remarks>
/// The instance caches u·v, |u|² and |v|², updated in the same pass as each gradient step, so a
/// step at width n costs one sweep over 2n doubles. Reductions use fixed-width 256-bit blocks in
/// a fixed order, so results are bit-identical on every machine.
/// </remarks>
public sealed class UvNetwork
{
    private readonly double[] _u;
    private readonly double[] _v;
    private double _uv;
    private double _uu;
    private double _vv;

    /// <summary>Creates the reduced model from explicit reduced weights.</summary>
    /// <param name="u">u = U x / |x|, length n ≥ 1 (copied).</param>
    /// <param name="v">v, length n (copied).</param>
    /// <param name="normaliser">Effective normaliser s = S / |x| &gt; 0.</param>
    public UvNetwork(ReadOnlySpan<double> u, ReadOnlySpan<double> v, double normaliser)
    {
        if (u.Length == 0 || u.Length != v.Length)
        {
            throw new ArgumentException($"u and v must be non-empty and of equal length (got {u.Length} and {v.Length}).", nameof(v));
        }

        if (!(normaliser > 0) || !double.IsFinite(normaliser))
        {
            throw new ArgumentOutOfRangeException(nameof(normaliser), normaliser, "The normaliser must be positive and finite.");
        }

        _u = u.ToArray();
        _v = v.ToArray();
        Normaliser = normaliser;
        (_uv, _uu, _vv) = Moments(_u, _v);
    }

    /// <summary>Width n.</summary>
    public int Width => _u.Length;

    /// <summary>Effective normaliser s = S / |x|.</summary>
    public double Normaliser { get; }

    /// <summary>The moving first-layer direction u = U x / |x| (read-only view).</summary>
    public ReadOnlySpan<double> U => _u;

    /// <summary>Second-layer weights v (read-only view).</summary>
    public ReadOnlySpan<double> V => _v;

    /// <summary>Output f = u·v / s.</summary>
    public double Output => _uv / Normaliser;

    /// <summary>Neural tangent kernel of the single example, λ = (|u|² + |v|²) / s².</summary>
    public double Ntk => (_uu + _vv) / (Normaliser * Normaliser);

    /// <summary>
    /// Draws the initial weights of <paramref name="config"/> (or takes its explicit weights) and
    /// reduces them: u_i = (U_i · x) / |x|. The draw is U row by row from stream 0 of the seed,
    /// then v from stream 1, so it equals <see cref="UvFullNetwork.Create"/> exactly.
    /// </summary>
    /// <param name="config">A configuration; validated here.</param>
    public static UvNetwork Create(UvModelConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        int n = config.EffectiveWidth;
        int d = config.InputDimension;
        double norm = config.InputNorm;
        var u = new double[n];
        var row = new double[d];
        if (config.InitialWeights is { } weights)
        {
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j < d; j++)
                {
                    row[j] = weights.U[i, j];
                }

                u[i] = RowDot(row, config.Input) / norm;
            }

            return new UvNetwork(u, weights.V, config.EffectiveNormaliser);
        }

        var rngU = DeterministicRandom.ForStream(config.Seed, 0);
        double sdU = Math.Sqrt(config.Parameterisation.VarianceU(n, d, config.BaseVariance));
        for (int i = 0; i < n; i++)
        {
            rngU.FillGaussian(row, sdU);
            u[i] = RowDot(row, config.Input) / norm;
        }

        var v = new double[n];
        DeterministicRandom.ForStream(config.Seed, 1).FillGaussian(v, Math.Sqrt(config.Parameterisation.VarianceV(n, config.BaseVariance)));
        return new UvNetwork(u, v, config.EffectiveNormaliser);
    }

    /// <summary>A deep copy.</summary>
    public UvNetwork Clone() => new(_u, _v, Normaliser);

    /// <summary>
    /// One step of full-batch gradient descent on L = ½(f − y)² + ½γ(|u|² + |v|²) with the
    /// simultaneous update u' = ρu − ηΔf v / s, v' = ρv − ηΔf u / s, ρ = 1 − ηγ (section 2).
    /// </summary>
    /// <param name="learningRate">η.</param>
    /// <param name="target">y.</param>
    /// <param name="weightDecay">γ ≥ 0 (default 0).</param>
    public void Step(double learningRate, double target, double weightDecay = 0)
    {
        double a = learningRate * (Output - target) / Normaliser;
        double rho = 1 - learningRate * weightDecay;
        (_uv, _uu, _vv) = UpdateAndMoments(_u, _v, rho, a);
    }

    internal static double RowDot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }

    private static (double Uv, double Uu, double Vv) Moments(double[] u, double[] v)
    {
        var uv = Vector256<double>.Zero;
        var uu = Vector256<double>.Zero;
        var vv = Vector256<double>.Zero;
        int n = u.Length;
        int blocks = n - n % Vector256<double>.Count;
        ref double u0 = ref u[0];
        ref double v0 = ref v[0];
        for (int i = 0; i < blocks; i += Vector256<double>.Count)
        {
            var ui = Vector256.LoadUnsafe(ref u0, (nuint)i);
            var vi = Vector256.LoadUnsafe(ref v0, (nuint)i);
            uv += ui * vi;
            uu += ui * ui;
            vv += vi * vi;
        }

        double suv = Vector256.Sum(uv), suu = Vector256.Sum(uu), svv = Vector256.Sum(vv);
        for (int i = blocks; i < n; i++)
        {
            suv += u[i] * v[i];
            suu += u[i] * u[i];
            svv += v[i] * v[i];
        }

        return (suv, suu, svv);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (double Uv, double Uu, double Vv) UpdateAndMoments(double[] u, double[] v, double rho, double a)
    {
        var uv = Vector256<double>.Zero;
        var uu = Vector256<double>.Zero;
        var vv = Vector256<double>.Zero;
        var rhoV = Vector256.Create(rho);
        var aV = Vector256.Create(a);
        int n = u.Length;
        int blocks = n - n % Vector256<double>.Count;
        ref double u0 = ref u[0];
        ref double v0 = ref v[0];
        for (int i = 0; i < blocks; i += Vector256<double>.Count)
        {
            var ui = Vector256.LoadUnsafe(ref u0, (nuint)i);
            var vi = Vector256.LoadUnsafe(ref v0, (nuint)i);
            var un = (rhoV * ui) - (aV * vi);
            var vn = (rhoV * vi) - (aV * ui);
            un.StoreUnsafe(ref u0, (nuint)i);
            vn.StoreUnsafe(ref v0, (nuint)i);
            uv += un * vn;
            uu += un * un;
            vv += vn * vn;
        }

        double suv = Vector256.Sum(uv), suu = Vector256.Sum(uu), svv = Vector256.Sum(vv);
        for (int i = blocks; i < n; i++)
        {
            double un = (rho * u[i]) - (a * v[i]);
            double vn = (rho * v[i]) - (a * u[i]);
            u[i] = un;
            v[i] = vn;
            suv += un * vn;
            suu += un * un;
            svv += vn * vn;
        }

        return (suv, suu, svv);
    }
}
