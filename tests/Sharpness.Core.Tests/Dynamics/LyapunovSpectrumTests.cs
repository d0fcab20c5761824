using Sharpness.Core.Dynamics;

namespace Sharpness.Core.Tests.Dynamics;

public class LyapunovSpectrumTests
{
    [Fact]
    public void LogisticMapAtFourHasExponentLnTwo()
    {
        var result = LyapunovSpectrum.Compute(new LogisticMap(), 4.0, [0.3], transient: 100, steps: 200_000);

        Assert.False(result.Diverged);
        Assert.Equal(Math.Log(2), result.Exponents[0], 2);
    }

    [Fact]
    public void StableWindowHasANegativeExponentEqualToTheOrbitsMultiplier()
    {
        // a = 3.835 lies in the period-3 window.
        var result = LyapunovSpectrum.Compute(new LogisticMap(), 3.835, [0.3], transient: 5000, steps: 30_000);
        var orbit = PeriodicOrbitFinder.Find(new LogisticMap(), 3.835, 3, result.FinalState);

        Assert.True(result.Exponents[0] < 0);
        Assert.Equal(orbit.LargestLyapunovExponent, result.Exponents[0], 6);
    }

    [Fact]
    public void HenonSpectrumSumsToTheLogOfTheConstantDeterminant()
    {
        var result = LyapunovSpectrum.Compute(new HenonMap(), 1.4, [0.1, 0.1], transient: 1000, steps: 200_000);

        Assert.Equal(2, result.Exponents.Count);
        Assert.Equal(Math.Log(HenonMap.B), result.Exponents[0] + result.Exponents[1], 9);
        Assert.InRange(result.Exponents[0], 0.40, 0.44);
    }

    [Fact]
    public void EscapingOrbitIsReportedAsDiverged()
    {
        var result = LyapunovSpectrum.Compute(new LogisticMap(), 4.5, [0.3], transient: 10, steps: 1000);

        Assert.True(result.Diverged);
    }
}
