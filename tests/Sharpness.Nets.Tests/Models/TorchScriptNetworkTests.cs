using Sharpness.Core.Eigen;
using Sharpness.Core.Spectral;
using Sharpness.Nets.Hessian;
using Sharpness.Nets.Models;
using Sharpness.Nets.Parameters;
using Sharpness.Nets.Tests.TestSupport;
using static TorchSharp.torch;

namespace Sharpness.Nets.Tests.Models;

/// <summary>
/// TorchScript modules exported by PyTorch 1.13 (an MLP, a CNN with pooling and batch norm, a traced residual block,
/// an attention block) give the curvature PyTorch computes for them, to 1e-8 in float64: the references are PyTorch's
/// own Hessian-vector products (scipy's eigsh on them, a dense Hessian from them, Hutchinson on stored probes).
/// </summary>
public sealed class TorchScriptNetworkTests
{
    public static TheoryData<string> Models => new() { "mlp", "cnn", "residual", "attention" };

    private static void Close(double expected, double actual, double relative = 1e-8) =>
        Assert.True(Math.Abs(expected - actual) <= relative * Math.Max(1, Math.Abs(expected)), $"expected {expected:R}, got {actual:R}");

    [Theory]
    [MemberData(nameof(Models))]
    public void ParametersAreTheModulesTrainableOnesUnderTheirNamesInOrdinalOrder(string name)
    {
        using var fixture = TorchScriptFixture.Load(name);

        Assert.Equal(fixture.Reference["parameter_names"]!.AsArray().Select(n => n!.GetValue<string>()), ParameterVector.Ordered(fixture.Network).Select(p => p.Name));
        Assert.Equal(fixture.Reference["parameter_count"]!.GetValue<int>(), ParameterVector.Count(fixture.Network));
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void LossGradientAndQuadraticFormsEqualPyTorchs(string name)
    {
        using var fixture = TorchScriptFixture.Load(name);
        using var op = new AutogradHessianOperator(fixture.Network, fixture.Loss, fixture.Dataset.Inputs, fixture.Targets, batchSize: 7);

        var gradient = new double[op.Size];
        double loss = op.LossAndGradient(gradient);
        Close(fixture.Number("loss"), loss, 1e-12);
        Close(fixture.Number("gradient_norm"), Math.Sqrt(gradient.Sum(g => g * g)), 1e-10);

        double[][] directions = fixture.Vectors("gaussian_directions");
        double[] forms = fixture.Numbers("gaussian_forms");
        var product = new double[op.Size];
        for (int i = 0; i < directions.Length; i++)
        {
            op.Apply(directions[i], product);
            Close(forms[i], directions[i].Zip(product, (a, b) => a * b).Sum());
        }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void TopAndBottomEigenvaluesEqualEigshOnPyTorchProducts(string name)
    {
        using var fixture = TorchScriptFixture.Load(name);
        using var op = new AutogradHessianOperator(fixture.Network, fixture.Loss, fixture.Dataset.Inputs, fixture.Targets);
        var stop = StopCriteria.Default(maxMatvecs: 2000, residualTolerance: 1e-11);

        EigenResult top = Lanczos.Solve(op, new EigenSolverOptions { Count = 3, StopCriterion = stop, Seed = 1 });
        EigenResult bottom = Lanczos.Solve(op, new EigenSolverOptions { Count = 2, Target = EigenTarget.SmallestAlgebraic, StopCriterion = stop, Seed = 1 });

        Assert.True(top.Converged && bottom.Converged);
        double[] eigshTop = fixture.Numbers("eigsh_top");
        double[] eigshBottom = fixture.Numbers("eigsh_bottom");
        double[] spectrum = fixture.Numbers("spectrum");
        for (int i = 0; i < 3; i++)
        {
            Close(eigshTop[i], top.Eigenvalues[i]);
            Close(spectrum[^(i + 1)], top.Eigenvalues[i]);
        }

        for (int i = 0; i < 2; i++)
        {
            Close(eigshBottom[i], bottom.Eigenvalues[i]);
            Close(spectrum[i], bottom.Eigenvalues[i]);
        }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void HutchinsonOnPyTorchsProbesGivesPyTorchsEstimate(string name)
    {
        using var fixture = TorchScriptFixture.Load(name);
        using var op = new AutogradHessianOperator(fixture.Network, fixture.Loss, fixture.Dataset.Inputs, fixture.Targets);

        TraceEstimate estimate = HutchinsonTrace.Estimate(op, fixture.Vectors("rademacher_probes"));

        Close(fixture.Number("hutchinson_mean"), estimate.Estimate);
        Close(fixture.Number("hutchinson_standard_error"), estimate.StandardError);
        double[] forms = fixture.Numbers("rademacher_forms");
        for (int i = 0; i < forms.Length; i++)
        {
            Close(forms[i], estimate.QuadraticForms[i]);
        }

        // The exact trace from PyTorch's dense Hessian lies within the estimate's statistical error.
        double trace = fixture.Number("trace");
        Assert.InRange(trace, estimate.Estimate - 5 * estimate.StandardError, estimate.Estimate + 5 * estimate.StandardError);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void TheGaussNewtonTopEigenvalueEqualsTheDenseOneFromPyTorchsJacobian(string name)
    {
        using var fixture = TorchScriptFixture.Load(name);
        using var op = new GaussNewtonOperator(fixture.Network, fixture.Loss, fixture.Dataset.Inputs, fixture.Targets);

        EigenResult top = Lanczos.Solve(op, new EigenSolverOptions { StopCriterion = StopCriteria.Default(2000, 1e-11), Seed = 2 });

        Assert.True(top.Converged);
        Close(fixture.Number("gauss_newton_top"), top.Eigenvalues[0]);
    }

    [Fact]
    public void QuadratureOverEveryCoordinateGivesTheExactMomentsOfTheDenseHessian()
    {
        // Start vectors √P e_i for all i: the average of e_iᵀ H^k e_i is exactly tr(H^k)/P, and each 2-step rule is
        // exact for k ≤ 3, so the SLQ moments equal those of PyTorch's dense spectrum up to rounding.
        using var fixture = TorchScriptFixture.Load("residual");
        using var op = new AutogradHessianOperator(fixture.Network, fixture.Loss, fixture.Dataset.Inputs, fixture.Targets);
        int size = op.Size;
        var starts = Enumerable.Range(0, size).Select(i =>
        {
            var e = new double[size];
            e[i] = Math.Sqrt(size);
            return e;
        });

        SpectralDensity density = StochasticLanczosQuadrature.Estimate(op, starts, steps: 2);

        double[] moments = fixture.Numbers("moments");
        for (int k = 1; k <= 3; k++)
        {
            Close(moments[k - 1], density.Moment(k), 1e-9);
        }
    }

    [Fact]
    public void TheSeededDensityIntegratesToOneAndItsMomentsMatchTheDenseHessiansWithinTheirErrors()
    {
        using var fixture = TorchScriptFixture.Load("mlp");
        using var op = new AutogradHessianOperator(fixture.Network, fixture.Loss, fixture.Dataset.Inputs, fixture.Targets);

        SpectralDensity density = StochasticLanczosQuadrature.Estimate(op, new SlqOptions { Probes = 20, Steps = 8, Seed = 3 });

        var (lambda, rho) = density.OnGrid(20_000, density.DefaultBroadening);
        double integral = 0;
        for (int i = 1; i < lambda.Length; i++)
        {
            integral += 0.5 * (rho[i] + rho[i - 1]) * (lambda[i] - lambda[i - 1]);
        }

        Close(1, integral, 1e-6);
        double[] spectrum = fixture.Numbers("spectrum");
        Assert.InRange(density.MinimumNode, spectrum[0] - 1e-8, spectrum[^1]);
        Assert.InRange(density.MaximumNode, spectrum[0], spectrum[^1] + 1e-8);
        double[] moments = fixture.Numbers("moments");
        for (int k = 1; k <= 4; k++)
        {
            double[] perProbe = density.Rules.Select(r => r.Moment(k)).ToArray();
            double mean = perProbe.Average();
            double error = Math.Sqrt(perProbe.Sum(m => (m - mean) * (m - mean)) / (perProbe.Length - 1) / perProbe.Length);
            Assert.InRange(moments[k - 1], mean - 5 * error, mean + 5 * error);
        }
    }

    [Fact]
    public void AFloat32CopyHoldsTheSameParametersRoundedAndTheStateListsBuffersToo()
    {
        using var fixture = TorchScriptFixture.Load("cnn");
        using var copy = fixture.Network.Clone(ScalarType.Float32);

        Assert.Equal(ScalarType.Float32, copy.DType);
        double[] original = ParameterVector.Flatten(fixture.Network);
        double[] rounded = ParameterVector.Flatten(copy);
        Assert.Equal(original.Select(x => (double)(float)x), rounded);
        // TorchSharp's own conversion would turn the integer counter into a float; the module keeps PyTorch's types.
        Assert.Equal(ScalarType.Int64, fixture.Network.StateTensors().Single(s => s.Name == "bn.num_batches_tracked").Value.dtype);
        Assert.Equal(ScalarType.Float64, fixture.Network.StateTensors().Single(s => s.Name == "bn.running_var").Value.dtype);
        Assert.Equal(ScalarType.Int64, ((TorchScriptNetwork)copy).StateTensors().Single(s => s.Name == "bn.num_batches_tracked").Value.dtype);
        var state = ((TorchScriptNetwork)copy).StateTensors().Select(s => s.Name).ToArray();
        Assert.Contains("bn.running_mean", state);
        Assert.Contains("bn.running_var", state);
        Assert.Contains("bn.num_batches_tracked", state);
        Assert.Contains("conv1.weight", state);
    }

    [Fact]
    public void FlatAndShapedBatchesGiveTheSameOutputs()
    {
        using var fixture = TorchScriptFixture.Load("attention");
        using var scope = NewDisposeScope();
        Tensor shaped = fixture.Data.Inputs.narrow(0, 0, 5);

        Tensor fromShaped = fixture.Network.forward(shaped);
        Tensor fromFlat = fixture.Network.forward(shaped.reshape(5, -1));

        Assert.Equal(new long[] { 5, 3 }, fromShaped.shape);
        Assert.True(fromShaped.equal(fromFlat).all().item<bool>());
    }

    [Theory]
    [InlineData("needs_gpu.pt", TorchScriptProblem.NeedsGpu, "needs a GPU")]
    [InlineData("cdist.pt", TorchScriptProblem.NotTwiceDifferentiable, "_cdist_backward")]
    [InlineData("random_output.pt", TorchScriptProblem.NotDeterministic, "model.eval()")]
    [InlineData("two_outputs.pt", TorchScriptProblem.Forward, "a tuple of 2 values")]
    [InlineData("unused_parameter.pt", TorchScriptProblem.Forward, "does not use the parameter(s) extra")]
    [InlineData("mlp.json", TorchScriptProblem.NotTorchScript, "not a TorchScript module")]
    [InlineData("mlp.safetensors", TorchScriptProblem.NotTorchScript, "not a TorchScript module")]
    public void ModulesTheToolkitCannotUseAreRefusedWithAOneLineReason(string file, TorchScriptProblem problem, string words)
    {
        using var scope = NewDisposeScope();
        Tensor inputs = randn(3, 6, dtype: ScalarType.Float64);

        var e = Assert.Throws<TorchScriptException>(() => TorchScriptNetwork.Load(File.ReadAllBytes(TorchScriptFixture.PathOf(file)), inputs, ScalarType.Float64));

        Assert.Equal(problem, e.Problem);
        Assert.Contains(words, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void InputsOfTheWrongShapeAreAForwardErrorNotACrash()
    {
        using var scope = NewDisposeScope();
        Tensor inputs = randn(3, 7, dtype: ScalarType.Float64);

        var e = Assert.Throws<TorchScriptException>(() => TorchScriptNetwork.Load(File.ReadAllBytes(TorchScriptFixture.PathOf("mlp.pt")), inputs, ScalarType.Float64));

        Assert.Equal(TorchScriptProblem.Forward, e.Problem);
        Assert.Contains("[3, 7]", e.Message, StringComparison.Ordinal);
    }
}
