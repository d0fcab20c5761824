using Sharpness.Core.Dynamics;

namespace Sharpness.Core.Tests.Dynamics;

/// <summary>The logistic map x' = a x (1 − x), parameter a.</summary>
internal sealed class LogisticMap : IIteratedMap
{
    public int Dimension => 1;

    public void Step(ReadOnlySpan<double> state, double parameter, Span<double> next) => next[0] = parameter * state[0] * (1 - state[0]);

    public void Jacobian(ReadOnlySpan<double> state, double parameter, Span<double> jacobian) => jacobian[0] = parameter * (1 - (2 * state[0]));
}

/// <summary>The Hénon map (x, y) ↦ (1 − a x² + y, b x) with parameter a and b = 0.3: det J = −b everywhere.</summary>
internal sealed class HenonMap : IIteratedMap
{
    public const double B = 0.3;

    public int Dimension => 2;

    public void Step(ReadOnlySpan<double> state, double parameter, Span<double> next)
    {
        double x = state[0], y = state[1];
        next[0] = 1 - (parameter * x * x) + y;
        next[1] = B * x;
    }

    public void Jacobian(ReadOnlySpan<double> state, double parameter, Span<double> jacobian)
    {
        jacobian[0] = -2 * parameter * state[0];
        jacobian[1] = 1;
        jacobian[2] = B;
        jacobian[3] = 0;
    }
}
