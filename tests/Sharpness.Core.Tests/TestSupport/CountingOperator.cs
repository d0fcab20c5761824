using Sharpness.Core.LinearAlgebra;

namespace Sharpness.Core.Tests.TestSupport;

/// <summary>Wraps an operator and counts its applications (and can start returning NaN after a number of calls).</summary>
internal sealed class CountingOperator(ILinearOperator inner, int nanAfter = int.MaxValue) : ILinearOperator
{
    public int Count { get; private set; }

    public int Size => inner.Size;

    public void Apply(ReadOnlySpan<double> input, Span<double> output)
    {
        Count++;
        inner.Apply(input, output);
        if (Count > nanAfter)
        {
            output[output.Length / 2] = double.NaN;
        }
    }
}
