using System.Globalization;

namespace Sharpness.Uv.Model;

/// <summary>Named families of parameterisations of the UV model (uv-model.md section 1).</summary>
public enum ParameterisationKind
{
    /// <summary>Neural-tangent: S = √n, σ_U² = σ_v² = σ_w².</summary>
    Ntp,

    /// <summary>Maximal update: S = 1, σ_U² = σ_v² = σ_w²/n.</summary>
    MuP,

    /// <summary>Standard: S = 1, σ_U² = σ_w²/d, σ_v² = σ_w²/n.</summary>
    Sp,

    /// <summary>Interpolation s ∈ [0, 1]: S = n^((1−s)/2), σ_U² = σ_v² = σ_w²/n^s (s = 0 is NTP, s = 1 is μP).</summary>
    Interpolation,
}

/// <summary>
/// A parameterisation of the UV model f(x) = vᵀUx / S: the output normaliser S and the
/// initial variances of U and v as functions of the width n, the input dimension d and the
/// base variance σ_w².
/// </summary>
public sealed record Parameterisation
{
    private Parameterisation(ParameterisationKind kind, double interpolation)
    {
        Kind = kind;
        Interpolation = interpolation;
    }

    /// <summary>The family.</summary>
    public ParameterisationKind Kind { get; }

    /// <summary>The interpolation exponent s ∈ [0, 1] (0 for NTP, 1 for μP, unused for SP).</summary>
    public double Interpolation { get; }

    /// <summary>Neural-tangent parameterisation.</summary>
    public static Parameterisation Ntp { get; } = new(ParameterisationKind.Ntp, 0);

    /// <summary>Maximal-update parameterisation.</summary>
    public static Parameterisation MuP { get; } = new(ParameterisationKind.MuP, 1);

    /// <summary>Standard parameterisation.</summary>
    public static Parameterisation Sp { get; } = new(ParameterisationKind.Sp, 0);

    /// <summary>The interpolating family with exponent s ∈ [0, 1].</summary>
    /// <param name="s">Exponent in [0, 1]; 0 reproduces NTP and 1 reproduces μP.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="s"/> is outside [0, 1] or not finite.</exception>
    public static Parameterisation Interpolate(double s)
    {
        if (!(s >= 0 && s <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(s), s, "The interpolation exponent s must lie in [0, 1].");
        }

        return new Parameterisation(ParameterisationKind.Interpolation, s);
    }

    /// <summary>Output normaliser S for width n (before dividing by |x|).</summary>
    /// <param name="width">Width n ≥ 1.</param>
    public double Normaliser(int width) => Kind switch
    {
        ParameterisationKind.Ntp => Math.Sqrt(width),
        ParameterisationKind.MuP or ParameterisationKind.Sp => 1.0,
        _ => Math.Pow(width, (1 - Interpolation) / 2),
    };

    /// <summary>Initial variance σ_U² of each entry of U.</summary>
    /// <param name="width">Width n ≥ 1.</param>
    /// <param name="inputDimension">Input dimension d ≥ 1.</param>
    /// <param name="baseVariance">Base variance σ_w² &gt; 0.</param>
    public double VarianceU(int width, int inputDimension, double baseVariance) => Kind switch
    {
        ParameterisationKind.Ntp => baseVariance,
        ParameterisationKind.MuP => baseVariance / width,
        ParameterisationKind.Sp => baseVariance / inputDimension,
        _ => baseVariance / Math.Pow(width, Interpolation),
    };

    /// <summary>Initial variance σ_v² of each entry of v.</summary>
    /// <param name="width">Width n ≥ 1.</param>
    /// <param name="baseVariance">Base variance σ_w² &gt; 0.</param>
    public double VarianceV(int width, double baseVariance) => Kind switch
    {
        ParameterisationKind.Ntp => baseVariance,
        ParameterisationKind.MuP or ParameterisationKind.Sp => baseVariance / width,
        _ => baseVariance / Math.Pow(width, Interpolation),
    };

    /// <summary>Parses <c>ntp</c>, <c>mup</c> (or <c>μp</c>), <c>sp</c> or <c>s=VALUE</c> with VALUE in [0, 1], case-insensitively.</summary>
    /// <param name="text">The text to parse.</param>
    /// <param name="result">The parameterisation when the text is valid.</param>
    /// <returns>Whether <paramref name="text"/> names a parameterisation.</returns>
    public static bool TryParse(string? text, out Parameterisation? result)
    {
        result = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        string t = text.Trim().ToLowerInvariant();
        switch (t)
        {
            case "ntp":
                result = Ntp;
                return true;
            case "mup":
            case "μp":
                result = MuP;
                return true;
            case "sp":
                result = Sp;
                return true;
        }

        if (t.StartsWith("s=", StringComparison.Ordinal)
            && double.TryParse(t.AsSpan(2), NumberStyles.Float, CultureInfo.InvariantCulture, out double s)
            && s >= 0 && s <= 1)
        {
            result = Interpolate(s);
            return true;
        }

        return false;
    }

    /// <summary>The canonical text form accepted by <see cref="TryParse"/>: ntp, mup, sp or s=VALUE.</summary>
    public override string ToString() => Kind switch
    {
        ParameterisationKind.Ntp => "ntp",
        ParameterisationKind.MuP => "mup",
        ParameterisationKind.Sp => "sp",
        _ => "s=" + Interpolation.ToString("R", CultureInfo.InvariantCulture),
    };
}
