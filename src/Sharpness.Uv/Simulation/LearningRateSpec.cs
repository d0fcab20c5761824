namespace Sharpness.Uv.Simulation;

/// <summary>
/// How the learning rate is chosen: an absolute η, or η = c / λ_H(0) relative to the Hessian
/// sharpness at initialisation (so c = 2 puts the first step exactly at the stability threshold).
/// </summary>
public sealed record LearningRateSpec
{
    private LearningRateSpec(double value, bool relative)
    {
        Value = value;
        IsRelativeToInitialSharpness = relative;
    }

    /// <summary>η itself, or the constant c when <see cref="IsRelativeToInitialSharpness"/>.</summary>
    public double Value { get; }

    /// <summary>Whether η = <see cref="Value"/> / λ_H(0).</summary>
    public bool IsRelativeToInitialSharpness { get; }

    /// <summary>An absolute learning rate η &gt; 0.</summary>
    /// <param name="learningRate">η, positive and finite.</param>
    public static LearningRateSpec Absolute(double learningRate)
    {
        if (!(learningRate > 0) || !double.IsFinite(learningRate))
        {
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "The learning rate η must be positive and finite.");
        }

        return new LearningRateSpec(learningRate, false);
    }

    /// <summary>η = c / λ_H(0).</summary>
    /// <param name="constant">c, positive and finite.</param>
    public static LearningRateSpec RelativeToInitialSharpness(double constant)
    {
        if (!(constant > 0) || !double.IsFinite(constant))
        {
            throw new ArgumentOutOfRangeException(nameof(constant), constant, "The learning-rate constant c must be positive and finite.");
        }

        return new LearningRateSpec(constant, true);
    }

    /// <summary>The learning rate η for a model whose initial Hessian sharpness is <paramref name="initialSharpness"/>.</summary>
    /// <param name="initialSharpness">λ_H(0) &gt; 0.</param>
    /// <exception cref="InvalidOperationException">η = c/λ_H(0) was asked for but λ_H(0) is zero (all weights zero and y = 0).</exception>
    public double Resolve(double initialSharpness)
    {
        if (!IsRelativeToInitialSharpness)
        {
            return Value;
        }

        if (!(initialSharpness > 0) || !double.IsFinite(initialSharpness))
        {
            throw new InvalidOperationException($"η = c/λ_H(0) needs a positive initial sharpness, got λ_H(0) = {initialSharpness}.");
        }

        return Value / initialSharpness;
    }

    /// <summary>"eta=VALUE" or "c=VALUE".</summary>
    public override string ToString() =>
        (IsRelativeToInitialSharpness ? "c=" : "eta=") + Value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
}
