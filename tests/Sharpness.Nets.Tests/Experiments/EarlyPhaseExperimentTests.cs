using Sharpness.Nets.Experiments;
using Sharpness.Nets.Hessian;
using Sharpness.Nets.Models;
using Sharpness.Nets.Tests.TestSupport;
using Sharpness.Nets.Training;
using Sharpness.Uv.Dynamics;
using static TorchSharp.torch;

namespace Sharpness.Nets.Tests.Experiments;

public sealed class EarlyPhaseExperimentTests
{
    private static readonly SharpnessTrackerOptions TightMeasurement = new() { ResidualTolerance = 1e-10, MaxMatvecs = 300 };

    [Fact]
    public void ZeroReadoutUvModelHasCLossTwoAgainstTheNtk()
    {
        // v = 0: f₀ = 0, λ = |u|²/s² = 4, y = 0.05 so r = ηy/s stays ≈ 0.025 near ηλ = 2. The first step gives
        // f₁ − y = (ηλ − 1) y, so the loss rises at step 1 exactly when ηλ > 2, and for so small an r no later
        // step rises first: c_loss against the NTK is the first grid value above 2.
        var uv = new UvCase(Enumerable.Repeat(0.5, 16).ToArray(), new double[16], Normaliser: 1, Target: 0.05);
        var grid = LearningRateConstantGrid.Create(0.5, 16, 0.1);
        using var scope = NewDisposeScope();

        var bisect = uv.Run(grid, steps: 10, GridSearchMode.Bisect);
        var scan = uv.Run(grid, steps: 10, GridSearchMode.Scan);

        Assert.Equal(4.0, bisect.InitialNtk, 9);
        Assert.Equal(uv.InitialSharpness, bisect.InitialSharpness, 9);
        double cLossNtk = bisect.LossConstant.Value * bisect.NtkRatio;
        Assert.InRange(cLossNtk, 2.0, 2.0 * Math.Pow(2, 0.1));
        Assert.True(cLossNtk > 2.0);
        var expected = uv.Oracle(grid, 10);
        Assert.Equal(expected.FirstRise, bisect.LossConstant.Index);
        Assert.Equal(expected.LastStable, bisect.MaxConstant.Index);
        Assert.Equal(scan.LossConstant, bisect.LossConstant);
        Assert.Equal(scan.MaxConstant, bisect.MaxConstant);
        Assert.Equal(CriticalBound.Exact, bisect.MaxConstant.Bound);
        Assert.Equal(0, bisect.OutputRatio);

        // From zero output the NTK grows at once (x₁ = x₀(1 + r²), uv-model.md section 5: progressive sharpening),
        // so λ_H rises above λ_H(0) already at the smallest c: c_sharp sits at the bottom of the grid and the
        // ordering c_loss ≤ c_sharp fails, as the UV model predicts for a zero readout.
        Assert.Equal(expected.FirstSharpRise, scan.SharpnessConstant!.Index);
        Assert.Equal(CriticalBound.AtOrBelowGrid, scan.SharpnessConstant.Bound);
        Assert.Equal(OrderingStatus.Fails, CriticalOrdering.Check(scan.LossConstant, scan.SharpnessConstant, scan.MaxConstant));
    }

    [Fact]
    public void AgainstTheHessianCLossFollowsFromTheClosedFormSharpness()
    {
        // A large target (y/(sλ) = 1/2): λ_H(0) = ½[λ + √(λ² + 4y²/s²)] = λ(1 + √2)/2 exceeds the NTK. One step
        // raises the loss exactly when ηλ > 2, i.e. c = ηλ_H(0) > 2λ_H(0)/λ = 1 + √2.
        var uv = new UvCase(Enumerable.Repeat(0.5, 16).ToArray(), new double[16], Normaliser: 1, Target: 2);
        var grid = LearningRateConstantGrid.Create(0.5, 16, 0.05);
        using var scope = NewDisposeScope();

        var oneStep = uv.Run(grid, steps: 1, GridSearchMode.Bisect);

        Assert.Equal(4 * (1 + Math.Sqrt(2)) / 2, oneStep.InitialSharpness, 9);
        // The first step is exactly quadratic along g here: c₁ = 2λ_H(0)/λ = 1 + √2, and 2 against the NTK.
        Assert.Equal(1 + Math.Sqrt(2), oneStep.FirstStepConstant, 9);
        Assert.Equal(2, oneStep.FirstStepConstant * oneStep.NtkRatio, 9);
        int firstAbove = Enumerable.Range(0, grid.Count).First(i => grid[i] > 1 + Math.Sqrt(2));
        Assert.Equal(firstAbove, oneStep.LossConstant.Index);

        // Over ten steps no later step rises first: the same c_loss, as the exact map of uv-model.md confirms, and
        // against the NTK c_loss = 2 up to the grid step.
        var tenSteps = uv.Run(grid, steps: 10, GridSearchMode.Bisect);
        var expected = uv.Oracle(grid, 10);
        Assert.Equal(expected.FirstRise, tenSteps.LossConstant.Index);
        Assert.Equal(expected.FirstSharpRise, tenSteps.SharpnessConstant!.Index);
        Assert.Equal(expected.LastStable, tenSteps.MaxConstant.Index);
        Assert.Equal(firstAbove, tenSteps.LossConstant.Index);
        Assert.InRange(tenSteps.LossConstant.Value * tenSteps.NtkRatio, 2.0, 2.0 * Math.Pow(2, 0.05));
    }

    [Fact]
    public void AnOutputAboveTheTargetGivesTheOrderingOfRealNetworks()
    {
        // f₀ = 0.38 against y = 0.1 (f₀/y = 3.8, outside the growth wedge of uv-model.md section 5): the sharpness
        // falls at small c, as in SP networks, and the exact map gives c_loss = 2^1.1 < c_sharp = 2^1.4 < c_max = 4.
        double[] u = [0.9, -0.4, 0.7, 0.3, 1.1, -0.2];
        double[] v = [0.5, 0.6, -0.3, 0.8, 0.2, 0.4];
        var uv = new UvCase(u, v, Normaliser: 1, Target: 0.1);
        var grid = LearningRateConstantGrid.Create(0.5, 16, 0.1);
        using var scope = NewDisposeScope();

        var bisect = uv.Run(grid, steps: 10, GridSearchMode.Bisect);
        var scan = uv.Run(grid, steps: 10, GridSearchMode.Scan);

        var expected = uv.Oracle(grid, 10);
        foreach (var result in new[] { bisect, scan })
        {
            Assert.Equal(expected.FirstRise, result.LossConstant.Index);
            Assert.Equal(expected.FirstSharpRise, result.SharpnessConstant!.Index);
            Assert.Equal(expected.LastStable, result.MaxConstant.Index);
            Assert.Equal(OrderingStatus.Holds, CriticalOrdering.Check(result.LossConstant, result.SharpnessConstant, result.MaxConstant));
            Assert.Empty(result.MonotonicityViolations);
        }

        Assert.Equal((21, 24, 30), (bisect.LossConstant.Index, bisect.SharpnessConstant!.Index, bisect.MaxConstant.Index));
        Assert.True(bisect.Probes.Count < scan.Probes.Count);
    }

    [Fact]
    public void ZeroReadoutNetworkFirstStepFollowsTheQuadraticAlongTheGradient()
    {
        // With a zero readout only the readout has a gradient and the output is linear in it, so one GD step
        // moves along g on an exact quadratic: L₁ = L₀ − η|g|² + ½η² gᵀGg (the Hessian equals G along g). The loss
        // rises exactly when η > 2|g|²/gᵀGg; against the NTK that is c ≥ 2 because gᵀGg ≤ λ_NTK |g|².
        using var network = new FullyConnectedNetwork(new FullyConnectedConfig
        {
            InputDimension = 5, OutputDimension = 3, Depth = 3, Width = 12, Activation = Activation.Relu, Bias = false,
            ZeroReadout = true, Seed = 4, DType = ScalarType.Float64,
        });
        using var scope = NewDisposeScope();
        var train = OneHotData(24, 5, 3, seed: 8);
        var loss = LossFunction.HalfMeanSquaredError;
        var grid = LearningRateConstantGrid.Create(0.5, 32, 0.05);

        var result = EarlyPhaseExperiment.Run(network, train, Options(grid, 1, GridSearchMode.Bisect, loss));

        using var hessian = new AutogradHessianOperator(network, loss, train.Inputs, train.Targets);
        using var gaussNewton = new GaussNewtonOperator(network, loss, train.Inputs, train.Targets);
        var g = new double[hessian.Size];
        hessian.LossAndGradient(g);
        var hg = new double[hessian.Size];
        var gg = new double[hessian.Size];
        hessian.Apply(g, hg);
        gaussNewton.Apply(g, gg);
        double curvature = HessianOracles.Dot(g, gg);
        Assert.Equal(curvature, HessianOracles.Dot(g, hg), 12);
        double lambdaH = SymmetricEigen.Top(HessianOracles.Symmetrised(HessianOracles.Dense(hessian)));
        double lambdaNtk = SymmetricEigen.Top(HessianOracles.Symmetrised(HessianOracles.Dense(gaussNewton)));
        Assert.Equal(lambdaH, result.InitialSharpness, 9);
        Assert.Equal(lambdaNtk, result.InitialNtk, 9);

        double critical = 2 * HessianOracles.Dot(g, g) / curvature * lambdaH;
        int expected = Enumerable.Range(0, grid.Count).First(i => grid[i] > critical);
        Assert.Equal(critical, result.FirstStepConstant, 9);
        Assert.Equal(expected, result.LossConstant.Index);
        Assert.True(result.LossConstant.Value * result.NtkRatio > 2);
        Assert.True(lambdaH > lambdaNtk);
    }

    [Fact]
    public void ScanAndBisectionAgreeOnASmallReluNetwork()
    {
        using var network = new FullyConnectedNetwork(new FullyConnectedConfig
        {
            InputDimension = 5, OutputDimension = 3, Depth = 4, Width = 10, Activation = Activation.Relu, Bias = false, Seed = 2, DType = ScalarType.Float64,
        });
        using var scope = NewDisposeScope();
        var train = OneHotData(30, 5, 3, seed: 3);
        var grid = LearningRateConstantGrid.Create(0.5, 64, 0.25);

        var bisect = EarlyPhaseExperiment.Run(network, train, Options(grid, 10, GridSearchMode.Bisect, LossFunction.HalfMeanSquaredError));
        var scan = EarlyPhaseExperiment.Run(network, train, Options(grid, 10, GridSearchMode.Scan, LossFunction.HalfMeanSquaredError));

        Assert.Equal(scan.LossConstant, bisect.LossConstant);
        Assert.Equal(scan.SharpnessConstant, bisect.SharpnessConstant);
        Assert.Equal(scan.MaxConstant, bisect.MaxConstant);
        Assert.Equal(scan.InitialSharpness, bisect.InitialSharpness);
        // Every probe starts from the same weights: the initial loss of each is the experiment's.
        Assert.All(bisect.Probes.Concat(scan.Probes), p => Assert.Equal(bisect.InitialLoss, p.Losses[0], 12));
        Assert.All(bisect.Probes, p => Assert.Equal(p.C / bisect.InitialSharpness, p.LearningRate, 15));
        // Probes at and above c_max + one step diverge, at c_max they do not.
        Assert.All(scan.Probes.Where(p => p.Kind == EarlyProbeKind.Loss), p => Assert.Equal(p.GridIndex > scan.MaxConstant.Index, p.Diverged));
    }

    [Fact]
    public void SgdWithTheWholeSetAsBatchGivesTheConstantsOfGradientDescent()
    {
        using var network = new FullyConnectedNetwork(new FullyConnectedConfig
        {
            InputDimension = 5, OutputDimension = 3, Depth = 3, Width = 10, Activation = Activation.Relu, Bias = false, Seed = 6, DType = ScalarType.Float64,
        });
        using var scope = NewDisposeScope();
        var train = OneHotData(20, 5, 3, seed: 7);
        var grid = LearningRateConstantGrid.Create(0.5, 32, 0.25);
        var gd = Options(grid, 5, GridSearchMode.Bisect, LossFunction.HalfMeanSquaredError);
        var sgd = gd with { Trainer = gd.Trainer with { Optimizer = OptimizerKind.StochasticGradientDescent, BatchSize = 20 } };

        var a = EarlyPhaseExperiment.Run(network, train, gd);
        var b = EarlyPhaseExperiment.Run(network, train, sgd);

        Assert.Equal(a.LossConstant, b.LossConstant);
        Assert.Equal(a.SharpnessConstant, b.SharpnessConstant);
        Assert.Equal(a.MaxConstant, b.MaxConstant);
        var firstA = a.Probes[0];
        var firstB = b.Probes[0];
        for (int t = 0; t < firstA.Losses.Count; t++)
        {
            Assert.Equal(firstA.Losses[t], firstB.Losses[t], 10);
        }
    }

    private static EarlyPhaseOptions Options(LearningRateConstantGrid grid, int steps, GridSearchMode search, LossFunction loss) => new()
    {
        Grid = grid,
        Steps = steps,
        Search = search,
        Trainer = new TrainerConfig { Loss = loss },
        Measurement = TightMeasurement,
    };

    private static ExampleSet OneHotData(int n, int d, int k, ulong seed)
    {
        var inputs = SyntheticData.Inputs(n, d, seed);
        var labels = SyntheticData.Labels(n, k, seed + 1);
        return new ExampleSet(inputs, nn.functional.one_hot(labels, k).to(ScalarType.Float64));
    }

    /// <summary>The UV module f = vᵀu x/s on the single example x = 1 with target y, and the exact map as the oracle.</summary>
    private sealed record UvCase(double[] U, double[] V, double Normaliser, double Target)
    {
        private double Output => U.Zip(V, (a, b) => a * b).Sum() / Normaliser;

        private double Ntk => (U.Sum(a => a * a) + V.Sum(b => b * b)) / (Normaliser * Normaliser);

        public double InitialSharpness => UvSharpness.Hessian(new UvFunctionState(Output, Ntk), Target, Normaliser, U.Length);

        public EarlyPhaseResult Run(LearningRateConstantGrid grid, int steps, GridSearchMode search)
        {
            var u = new double[U.Length, 1];
            for (int i = 0; i < U.Length; i++)
            {
                u[i, 0] = U[i];
            }

            using var module = new UvModule(u, V, Normaliser);
            var train = new ExampleSet(tensor(new[] { 1.0 }, [1, 1], ScalarType.Float64), tensor(new[] { Target }, [1, 1], ScalarType.Float64));
            return EarlyPhaseExperiment.Run(module, train, Options(grid, steps, search, LossFunction.HalfSquaredError));
        }

        /// <summary>The critical indices from the exact function-space map and the closed-form sharpness (uv-model.md sections 3, 4).</summary>
        public (int FirstRise, int FirstSharpRise, int LastStable) Oracle(LearningRateConstantGrid grid, int steps)
        {
            double sharpness0 = InitialSharpness;
            double loss0 = 0.5 * (Output - Target) * (Output - Target);
            int firstRise = grid.Count, firstSharpRise = grid.Count, lastStable = -1;
            for (int i = grid.Count - 1; i >= 0; i--)
            {
                double eta = grid[i] / sharpness0;
                var state = new UvFunctionState(Output, Ntk);
                bool rise = false, sharpRise = false, diverged = false;
                for (int t = 1; t <= steps; t++)
                {
                    state = UvFunctionSpaceMap.Step(state, eta, Target, Normaliser);
                    double loss = 0.5 * (state.Output - Target) * (state.Output - Target);
                    rise |= !(loss <= loss0);
                    sharpRise |= !(UvSharpness.Hessian(state, Target, Normaliser, U.Length) <= sharpness0);
                    if (!(loss <= TrainerConfig.DefaultDivergenceThreshold))
                    {
                        diverged = true;
                        break;
                    }
                }

                firstRise = rise ? i : firstRise;
                firstSharpRise = sharpRise ? i : firstSharpRise;
                if (!diverged && lastStable < 0)
                {
                    lastStable = i;
                }
            }

            return (firstRise, firstSharpRise, lastStable);
        }
    }
}
