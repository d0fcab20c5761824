using Sharpness.Uv.Model;

namespace Sharpness.Uv.Tests.Model;

public class ParameterisationTests
{
    [Theory]
    [InlineData("ntp", 400, 3, 2.0, 20.0, 2.0, 2.0)]
    [InlineData("mup", 400, 3, 2.0, 1.0, 0.005, 0.005)]
    [InlineData("sp", 400, 4, 2.0, 1.0, 0.5, 0.005)]
    [InlineData("s=0.5", 400, 3, 2.0, 4.47213595499958, 0.1, 0.1)]
    public void NormaliserAndVariancesFollowTheTable(string text, int n, int d, double sigma2, double normaliser, double varianceU, double varianceV)
    {
        Assert.True(Parameterisation.TryParse(text, out var p));

        Assert.Equal(normaliser, p!.Normaliser(n), 12);
        Assert.Equal(varianceU, p.VarianceU(n, d, sigma2), 12);
        Assert.Equal(varianceV, p.VarianceV(n, sigma2), 12);
        Assert.Equal(text, p.ToString());
    }

    [Fact]
    public void InterpolationEndpointsAreNtpAndMuP()
    {
        var zero = Parameterisation.Interpolate(0);
        var one = Parameterisation.Interpolate(1);

        Assert.Equal(Parameterisation.Ntp.Normaliser(256), zero.Normaliser(256), 12);
        Assert.Equal(Parameterisation.Ntp.VarianceU(256, 1, 1), zero.VarianceU(256, 1, 1), 12);
        Assert.Equal(Parameterisation.MuP.Normaliser(256), one.Normaliser(256), 12);
        Assert.Equal(Parameterisation.MuP.VarianceV(256, 1), one.VarianceV(256, 1), 12);
    }

    [Theory]
    [InlineData("")]
    [InlineData("ntk")]
    [InlineData("s=1.5")]
    [InlineData("s=-0.1")]
    [InlineData("s=abc")]
    public void InvalidTextIsRejected(string text) => Assert.False(Parameterisation.TryParse(text, out _));

    [Fact]
    public void InitialOutputShrinksLikeInverseSquareRootOfWidthInMuPButNotInNtp()
    {
        static double MeanSquareOutput(Parameterisation p, int width)
        {
            double sum = 0;
            const int seeds = 200;
            for (ulong seed = 0; seed < seeds; seed++)
            {
                double f = UvNetwork.Create(new UvModelConfig { Width = width, Parameterisation = p, Seed = seed }).Output;
                sum += f * f;
            }

            return sum / seeds;
        }

        // E f² = n σ_U² σ_v² / S²: 1 in NTP, 1/n in μP. Two hundred seeds give about ±20 %.
        double ntpRatio = MeanSquareOutput(Parameterisation.Ntp, 1600) / MeanSquareOutput(Parameterisation.Ntp, 100);
        double mupRatio = MeanSquareOutput(Parameterisation.MuP, 1600) / MeanSquareOutput(Parameterisation.MuP, 100);

        Assert.InRange(ntpRatio, 0.6, 1.6);
        Assert.InRange(mupRatio, 1.0 / 16 * 0.6, 1.0 / 16 * 1.6);
    }
}
