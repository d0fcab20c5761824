using System.Globalization;

namespace Sharpness.Nets.Training;

/// <summary>
/// A learning rate relative to the initial sharpness (η = c/λ_H(0)) was asked for, but λ_H(0) of
/// the model at initialisation is not a positive finite number: its loss or Hessian overflows (huge
/// initial weights or output multiplier), or its gradient vanishes. The rate is then undefined; this
/// is a property of the requested settings, not a bug and not a diverged run (nothing was trained).
/// </summary>
public sealed class InitialSharpnessException : InvalidOperationException
{
    /// <summary>Creates the error.</summary>
    /// <param name="sharpness">The λ_H(0) measured (NaN, infinite, zero or negative).</param>
    public InitialSharpnessException(double sharpness)
        : base(Describe(sharpness))
    {
        Sharpness = sharpness;
    }

    /// <summary>The λ_H(0) measured.</summary>
    public double Sharpness { get; }

    /// <summary>Throws unless <paramref name="sharpness"/> is positive and finite.</summary>
    /// <param name="sharpness">λ_H(0).</param>
    /// <returns>The sharpness.</returns>
    /// <exception cref="InitialSharpnessException">It is not.</exception>
    public static double RequireUsable(double sharpness) =>
        sharpness > 0 && double.IsFinite(sharpness) ? sharpness : throw new InitialSharpnessException(sharpness);

    private static string Describe(double sharpness)
    {
        string value = sharpness.ToString("G6", CultureInfo.InvariantCulture);
        string cause = double.IsFinite(sharpness)
            ? "the model's loss has no curvature at initialisation (its gradient vanishes); give an absolute learning rate (--lr)"
            : "the model's loss or Hessian at initialisation is not finite (initial weights or output multiplier too large for the dtype); give an absolute learning rate (--lr) or a smaller initialisation";
        return $"a learning rate relative to the initial sharpness, eta = c/lambda_H(0), needs a positive finite lambda_H(0), but it is {value}: {cause}.";
    }
}
