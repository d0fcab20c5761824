using Sharpness.Nets.Experiments;
using Sharpness.Uv.Dynamics;

namespace Sharpness.Nets.Tests.Experiments;

public sealed class UvTrajectoryFitTests
{
    // A UV run in physical variables: η = 1.6, s = 2, y = 1 (r = ηy/s = 0.8), f₀ = 0.1, λ₀ = 0.9
    // (x₀ = 1.44, g₀ = 0.08): a small output inside the growth wedge, so the sharpness rises through
    // 2/η and settles (self-stabilised edge of stability).
    private const double Eta = 1.6, S = 2, Y = 1, F0 = 0.1, Lambda0 = 0.9;

    /// <summary>The run by the physical map (a path independent of the scaled map the fit iterates), measured every <paramref name="every"/> steps.</summary>
    private static List<EffectiveUvPoint> PhysicalRun(int steps, int every, int firstStep = 0)
    {
        var points = new List<EffectiveUvPoint>();
        var state = new UvFunctionState(F0, Lambda0);
        for (int t = 0; t <= steps; t++)
        {
            if (t % every == 0)
            {
                points.Add(new EffectiveUvPoint(firstStep + t, UvSharpness.Hessian(state, Y, S, 2), state.Output, Y, state.Ntk));
            }

            state = UvFunctionSpaceMap.Step(state, Eta, Y, S);
        }

        return points;
    }

    [Fact]
    public void TheFreeFitRecoversTheParametersOfATrajectoryOfTheUvMapItself()
    {
        var points = PhysicalRun(45, 1).Select(p => p with { Output = double.NaN, Target = double.NaN, Ntk = double.NaN }).ToList();

        var report = UvTrajectoryFit.Fit(points, Eta, new UvFitOptions { FitTo = 30 });

        Assert.Null(report.Anchored);
        Assert.Equal(0.8, report.Free.Parameters.R, 4);
        Assert.Equal(Eta * Lambda0, report.Free.Parameters.X0, 4);
        Assert.Equal(Eta * F0 / S, report.Free.Parameters.G0, 4);
        Assert.True(report.Free.FitError < 1e-6, $"fit error {report.Free.FitError}");
        Assert.True(report.Free.HeldOutError < 1e-6, $"held-out error {report.Free.HeldOutError}");
        Assert.Equal(31, report.FitPoints);
        Assert.Equal(15, report.HeldOutPoints);
    }

    [Fact]
    public void TheAnchoredFitTakesTheInitialStateFromTheEffectiveVariablesAndRecoversR()
    {
        // Measured every 3 steps, starting at training step 100: only the step offsets matter.
        var points = PhysicalRun(60, 3, firstStep: 100);

        var report = UvTrajectoryFit.Fit(points, Eta, new UvFitOptions { Starts = 4 });

        Assert.NotNull(report.Anchored);
        var anchored = report.Anchored!.Parameters;
        Assert.Equal(Eta * Lambda0, anchored.X0, 12);
        Assert.Equal(F0 / Y, anchored.OutputRatio0, 12);
        Assert.Equal(0.8, anchored.R, 8);
        Assert.True(report.Anchored.FitError < 1e-9, $"fit error {report.Anchored.FitError}");
        Assert.True(report.Anchored.HeldOutError < 1e-9, $"held-out error {report.Anchored.HeldOutError}");

        // The default window ends two thirds of the way: 21 measurements (offsets 0..60), index 14 → step 142.
        Assert.Equal(100, report.FitFrom);
        Assert.Equal(142, report.FitTo);

        // The prediction carries the UV model's own output ratio and NTK along.
        var predicted = report.Anchored.Predictions;
        for (int i = 0; i < points.Count; i++)
        {
            Assert.Equal(points[i].Output / Y, predicted[i].OutputRatio, 9);
            Assert.Equal(points[i].Ntk, predicted[i].Ntk, 9);
        }
    }

    [Fact]
    public void TheOutputTermPullsTheFitTowardsTheMeasuredOutputRatio()
    {
        var points = PhysicalRun(30, 1);

        var report = UvTrajectoryFit.Fit(points, Eta, new UvFitOptions { OutputWeight = 1, FitTo = 30, Starts = 8 });

        Assert.True(report.Free.Objective < 1e-10, $"objective {report.Free.Objective}");
        Assert.Equal(F0 / Y, report.Free.Parameters.OutputRatio0, 4);
    }

    [Fact]
    public void ADivergingTrajectoryNeverBeatsABoundedOneEvenWithAnUnreachableOutputTerm()
    {
        // A flat sharpness at 2/η with a measured f/y that flips between −49 and 51: no UV trajectory
        // matches the outputs, but one that escapes to infinity must not win by leaving them out.
        var points = Enumerable.Range(0, 60).Select(t => new EffectiveUvPoint(t, 2 / 0.1, t % 2 == 0 ? -49 : 51, 1, double.NaN)).ToList();

        var report = UvTrajectoryFit.Fit(points, 0.1, new UvFitOptions { OutputWeight = 1, FitTo = 59, Starts = 12 });

        Assert.True(double.IsFinite(report.Free.FitError), "the best fit diverged");
        Assert.All(report.Free.Predictions, p => Assert.True(double.IsFinite(p.Sharpness)));
    }

    [Fact]
    public void PredictStartsAtTheWindowAndStopsAtDivergence()
    {
        // r = 0.5, x₀ = 1, g₀ = 0.2: one step by hand, Δg = −0.3: g' = 0.2 + 0.3 + 0.09·0.2 = 0.518,
        // x' = 1 + (−0.3)(1·(−0.3) − 0.8) = 1.33.
        var p = new UvFitParameters(0.5, 1, 0.2);
        var predicted = UvTrajectoryFit.Predict(p, 10, [5, 10, 11], 0.25);

        Assert.True(double.IsNaN(predicted[0].Sharpness));
        Assert.Equal(1 / 0.25, predicted[1].Ntk, 12);
        Assert.Equal(0.2 / 0.5, predicted[1].OutputRatio, 12);
        Assert.Equal(1.33 / 0.25, predicted[2].Ntk, 12);
        Assert.Equal(0.518 / 0.5, predicted[2].OutputRatio, 12);
        double dg = 0.518 - 0.5;
        double top = 0.5 * (1.33 + Math.Sqrt((1.33 * 1.33) + (4 * dg * ((2 * 0.518) + dg))));
        Assert.Equal(top / 0.25, predicted[2].Sharpness, 12);

        // x₀ = 5 is past the catapult threshold 4 with g₀ = 0: the trajectory blows up.
        var diverging = UvTrajectoryFit.Predict(new UvFitParameters(0.1, 5, 0), 0, [0, 200], 1);
        Assert.True(double.IsFinite(diverging[0].Sharpness));
        Assert.True(double.IsNaN(diverging[1].Sharpness));
    }

    [Fact]
    public void TheBaselinesAndErrorsMatchHandComputedValues()
    {
        // λ_H = 1, 2, 3, 4, 6 at steps 0..4; fit window steps 0–2, held out 3–4; η = 0.5 (2/η = 4).
        double[] values = [1, 2, 3, 4, 6];
        var points = values.Select((v, t) => new EffectiveUvPoint(t, v)).ToList();

        var report = UvTrajectoryFit.Fit(points, 0.5, new UvFitOptions { FitTo = 2, Starts = 2, MaxEvaluations = 200 });

        var constant = report.Baselines.Single(b => b.Name == "constant");
        var linear = report.Baselines.Single(b => b.Name == "linear");
        var threshold = report.Baselines.Single(b => b.Name == "threshold");
        // Constant: the mean 2. Relative errors (1, 0, −1/3) in the window, (−1/2, −2/3) after it.
        Assert.Equal(Math.Sqrt((1 + 0 + (1.0 / 9)) / 3), constant.FitError, 14);
        Assert.Equal(Math.Sqrt(((1.0 / 4) + (4.0 / 9)) / 2), constant.HeldOutError, 14);
        // Linear: exactly 1 + t in the window; 4 and 5 predicted for 4 and 6.
        Assert.Equal(0, linear.FitError, 14);
        Assert.Equal(Math.Sqrt((0 + (1.0 / 36)) / 2), linear.HeldOutError, 14);
        Assert.Equal(5, linear.Predictions[4], 12);
        // Threshold 2/η = 4: errors (3, 1, 1/3) and (0, −1/3).
        Assert.Equal(Math.Sqrt((9 + 1 + (1.0 / 9)) / 3), threshold.FitError, 14);
        Assert.Equal(Math.Sqrt((0 + (1.0 / 9)) / 2), threshold.HeldOutError, 14);
        Assert.Equal([1, 2, 0], new[] { constant.ParameterCount, linear.ParameterCount, threshold.ParameterCount });
    }

    [Fact]
    public void RmsRelativeErrorIsTheRootMeanSquareOfTheRelativeErrors()
    {
        Assert.Equal(Math.Sqrt((0.01 + 0.04) / 2), UvTrajectoryFit.RmsRelativeError([1.1, 1.6], [1, 2]), 15);
        Assert.Equal(double.PositiveInfinity, UvTrajectoryFit.RmsRelativeError([1, double.NaN], [1, 2]));
        Assert.True(double.IsNaN(UvTrajectoryFit.RmsRelativeError([], [])));
    }

    [Fact]
    public void RejectsUnusableInput()
    {
        var good = new List<EffectiveUvPoint> { new(0, 1), new(1, 2) };
        Assert.Throws<ArgumentException>(() => UvTrajectoryFit.Fit([], 0.1));
        Assert.Throws<ArgumentException>(() => UvTrajectoryFit.Fit([new(0, 1), new(0, 2)], 0.1));
        Assert.Throws<ArgumentException>(() => UvTrajectoryFit.Fit([new(0, 1), new(1, -2)], 0.1));
        Assert.Throws<ArgumentException>(() => UvTrajectoryFit.Fit(good, 0.1, new UvFitOptions { FitFrom = 5 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => UvTrajectoryFit.Fit(good, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => UvTrajectoryFit.Fit(good, 0.1, new UvFitOptions { Starts = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => UvTrajectoryFit.Fit(good, 0.1, new UvFitOptions { FitFrom = 3, FitTo = 1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => UvTrajectoryFit.Fit(good, 0.1, new UvFitOptions { OutputWeight = -1 }));
    }
}
