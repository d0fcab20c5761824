namespace Sharpness.Uv.Model;

/// <summary>
/// Explicit initial weights of the UV model: U (n×d, row i is the input weights of hidden unit i)
/// and v (length n).
/// </summary>
/// <param name="U">First-layer weights, n rows by d columns.</param>
/// <param name="V">Second-layer weights, length n.</param>
public sealed record UvInitialWeights(double[,] U, double[] V);

/// <summary>
/// Everything that defines a UV model f(x) = vᵀUx / S at initialisation: width, input, target,
/// parameterisation, base variance, normaliser and seed (uv-model.md section 1).
/// </summary>
public sealed record UvModelConfig
{
    /// <summary>Width n (hidden units), ≥ 1. Ignored in favour of the weights when <see cref="InitialWeights"/> is set. Default 100.</summary>
    public int Width { get; init; } = 100;

    /// <summary>The single training input x ∈ R^d (d ≥ 1, nonzero). Default [1].</summary>
    public double[] Input { get; init; } = [1.0];

    /// <summary>The target y (any finite real). Default 1.</summary>
    public double Target { get; init; } = 1.0;

    /// <summary>Parameterisation (S, σ_U², σ_v²). Default NTP.</summary>
    public Parameterisation Parameterisation { get; init; } = Parameterisation.Ntp;

    /// <summary>Base variance σ_w² &gt; 0 of the initialisation. Default 1.</summary>
    public double BaseVariance { get; init; } = 1.0;

    /// <summary>Explicit output normaliser S &gt; 0 overriding the parameterisation's. Default none.</summary>
    public double? NormaliserOverride { get; init; }

    /// <summary>Seed of the initial weights (U from stream 0 row by row, v from stream 1). Default 0.</summary>
    public ulong Seed { get; init; }

    /// <summary>Explicit initial weights; when set, width and input dimension come from them and no random draw happens.</summary>
    public UvInitialWeights? InitialWeights { get; init; }

    /// <summary>Input dimension d = length of <see cref="Input"/>.</summary>
    public int InputDimension => Input.Length;

    /// <summary>The width actually used: the explicit weights' row count, else <see cref="Width"/>.</summary>
    public int EffectiveWidth => InitialWeights?.V.Length ?? Width;

    /// <summary>Output normaliser S (before dividing by |x|).</summary>
    public double Normaliser => NormaliserOverride ?? Parameterisation.Normaliser(EffectiveWidth);

    /// <summary>|x|, the Euclidean norm of the input.</summary>
    public double InputNorm => Math.Sqrt(Input.Sum(xi => xi * xi));

    /// <summary>Effective normaliser s = S / |x| of the reduced model (uv-model.md section 1).</summary>
    public double EffectiveNormaliser => Normaliser / InputNorm;

    /// <summary>
    /// Checks the configuration and throws on the first problem found.
    /// </summary>
    /// <exception cref="ArgumentException">A value is out of range or inconsistent; the parameter name is the property's name.</exception>
    public void Validate()
    {
        if (Input is null || Input.Length == 0)
        {
            throw new ArgumentException("The input x must have at least one component.", nameof(Input));
        }

        if (Input.Any(xi => !double.IsFinite(xi)) || InputNorm == 0)
        {
            throw new ArgumentException("The input x must be finite and nonzero.", nameof(Input));
        }

        if (!double.IsFinite(Target))
        {
            throw new ArgumentOutOfRangeException(nameof(Target), Target, "The target y must be finite.");
        }

        if (!(BaseVariance > 0) || !double.IsFinite(BaseVariance))
        {
            throw new ArgumentOutOfRangeException(nameof(BaseVariance), BaseVariance, "The base variance σ_w² must be positive and finite.");
        }

        if (NormaliserOverride is double s && (!(s > 0) || !double.IsFinite(s)))
        {
            throw new ArgumentOutOfRangeException(nameof(NormaliserOverride), s, "The normaliser S must be positive and finite.");
        }

        if (InitialWeights is null)
        {
            if (Width < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(Width), Width, "The width n must be at least 1.");
            }

            return;
        }

        double[,] u = InitialWeights.U;
        double[] v = InitialWeights.V;
        if (v.Length == 0)
        {
            throw new ArgumentException("The initial weights need at least one hidden unit.", nameof(InitialWeights));
        }

        if (u.GetLength(0) != v.Length)
        {
            throw new ArgumentException($"U has {u.GetLength(0)} rows but v has {v.Length} entries; they must match (the width).", nameof(InitialWeights));
        }

        if (u.GetLength(1) != Input.Length)
        {
            throw new ArgumentException($"U has {u.GetLength(1)} columns but x has {Input.Length} components; they must match (the input dimension).", nameof(InitialWeights));
        }

        if (v.Any(vi => !double.IsFinite(vi)) || u.Cast<double>().Any(uij => !double.IsFinite(uij)))
        {
            throw new ArgumentException("The initial weights must be finite.", nameof(InitialWeights));
        }
    }
}
