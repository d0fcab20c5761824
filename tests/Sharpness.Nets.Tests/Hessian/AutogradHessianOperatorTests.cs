using Sharpness.Nets.Hessian;
using Sharpness.Nets.Models;
using Sharpness.Nets.Parameters;
using Sharpness.Nets.Tests.TestSupport;
using Sharpness.Uv.Dynamics;
using Sharpness.Uv.Model;
using static TorchSharp.torch;

namespace Sharpness.Nets.Tests.Hessian;

public sealed class AutogradHessianOperatorTests
{
    private static FullyConnectedNetwork TinyNetwork(Activation activation, ScalarType dtype = ScalarType.Float64, ulong seed = 21) => new(new FullyConnectedConfig
    {
        InputDimension = 3,
        OutputDimension = 2,
        Depth = 3,
        Width = 5,
        Activation = activation,
        Seed = seed,
        DType = dtype,
    });

    [Theory]
    [InlineData(Activation.Tanh)]
    [InlineData(Activation.Elu)]
    [InlineData(Activation.Relu)]
    [InlineData(Activation.Linear)]
    public void TheProductEqualsFiniteDifferencesOfTheGradientOnAFullyConnectedNetwork(Activation activation)
    {
        using var network = TinyNetwork(activation);
        // Zero biases put a ReLU unit exactly on its kink whenever its whole input is zero, where
        // finite differences jump; move every parameter off the initial point.
        double[] theta = ParameterVector.Flatten(network);
        double[] shift = HessianOracles.RandomVector(theta.Length, seed: 20);
        ParameterVector.Unflatten(network, theta.Select((t, i) => t + (0.1 * shift[i])).ToArray());
        using var scope = NewDisposeScope();
        var inputs = SyntheticData.Inputs(12, 3, seed: 1);
        var targets = SyntheticData.TeacherTargets(inputs, 2, seed: 2);
        using var op = new AutogradHessianOperator(network, LossFunction.HalfSquaredError, inputs, targets, batchSize: 5);
        double[] v = HessianOracles.RandomVector(op.Size, seed: 3);
        var hv = new double[op.Size];

        op.Apply(v, hv);

        double[] expected = HessianOracles.FiniteDifferenceHvp(network, v, 1e-5, LossFunction.HalfSquaredError, inputs, targets);
        Assert.True(HessianOracles.RelativeError(hv, expected) < 1e-6, $"relative error {HessianOracles.RelativeError(hv, expected):e3}");
    }

    [Fact]
    public void TheProductEqualsFiniteDifferencesForCrossEntropy()
    {
        using var network = TinyNetwork(Activation.Tanh);
        using var scope = NewDisposeScope();
        var inputs = SyntheticData.Inputs(10, 3, seed: 4);
        var labels = SyntheticData.Labels(10, 2, seed: 5);
        using var op = new AutogradHessianOperator(network, LossFunction.CrossEntropy, inputs, labels, batchSize: 4);
        double[] v = HessianOracles.RandomVector(op.Size, seed: 6);
        var hv = new double[op.Size];

        op.Apply(v, hv);

        double[] expected = HessianOracles.FiniteDifferenceHvp(network, v, 1e-5, LossFunction.CrossEntropy, inputs, labels);
        Assert.True(HessianOracles.RelativeError(hv, expected) < 1e-6, $"relative error {HessianOracles.RelativeError(hv, expected):e3}");
    }

    [Fact]
    public void TheProductEqualsFiniteDifferencesOnTheUvModule()
    {
        var config = UvConfig(width: 4, input: [0.8, -0.3, 1.1], target: 2.0, seed: 8);
        using var module = UvModule.Create(config);
        using var scope = NewDisposeScope();
        var (inputs, targets) = UvData(config);
        using var op = new AutogradHessianOperator(module, LossFunction.HalfSquaredError, inputs, targets);
        double[] v = HessianOracles.RandomVector(op.Size, seed: 9);
        var hv = new double[op.Size];

        op.Apply(v, hv);

        double[] expected = HessianOracles.FiniteDifferenceHvp(module, v, 1e-5, LossFunction.HalfSquaredError, inputs, targets);
        Assert.True(HessianOracles.RelativeError(hv, expected) < 1e-6, $"relative error {HessianOracles.RelativeError(hv, expected):e3}");
    }

    [Fact]
    public void TheOperatorIsSymmetric()
    {
        using var network = TinyNetwork(Activation.Elu);
        using var scope = NewDisposeScope();
        var inputs = SyntheticData.Inputs(9, 3, seed: 10);
        var targets = SyntheticData.TeacherTargets(inputs, 2, seed: 11);
        using var op = new AutogradHessianOperator(network, LossFunction.HalfSquaredError, inputs, targets, batchSize: 4);
        double[] x = HessianOracles.RandomVector(op.Size, seed: 12);
        double[] y = HessianOracles.RandomVector(op.Size, seed: 13);
        var hx = new double[op.Size];
        var hy = new double[op.Size];

        op.Apply(x, hx);
        op.Apply(y, hy);

        double yhx = HessianOracles.Dot(y, hx), xhy = HessianOracles.Dot(x, hy);
        Assert.True(Math.Abs(yhx - xhy) <= 1e-12 * Math.Max(Math.Abs(yhx), 1), $"yᵀHx = {yhx}, xᵀHy = {xhy}");
        double[,] dense = HessianOracles.Dense(op);
        for (int i = 0; i < op.Size; i++)
        {
            for (int j = 0; j < i; j++)
            {
                Assert.True(Math.Abs(dense[i, j] - dense[j, i]) <= 1e-12, $"H[{i},{j}] = {dense[i, j]}, H[{j},{i}] = {dense[j, i]}");
            }
        }
    }

    [Theory]
    [InlineData(1, 1, 1.0, 1UL)]
    [InlineData(5, 3, 1.0, 2UL)]
    [InlineData(5, 3, -4.0, 3UL)]
    [InlineData(8, 2, 10.0, 4UL)]
    [InlineData(6, 4, 0.0, 5UL)]
    public void TheTopEigenvalueOfTheUvModuleEqualsTheClosedForm(int width, int inputDimension, double target, ulong seed)
    {
        double[] input = HessianOracles.RandomVector(inputDimension, seed + 100);
        var config = UvConfig(width, input, target, seed);
        var reduced = UvNetwork.Create(config);
        double closedForm = UvSharpness.Hessian(new UvFunctionState(reduced.Output, reduced.Ntk), target, reduced.Normaliser, reduced.Width);
        using var module = UvModule.Create(config);
        using var scope = NewDisposeScope();
        var (inputs, targets) = UvData(config);
        using var op = new AutogradHessianOperator(module, LossFunction.HalfSquaredError, inputs, targets);

        double top = SymmetricEigen.Top(HessianOracles.Symmetrised(HessianOracles.Dense(op)));

        Assert.True(Math.Abs(top - closedForm) <= 1e-10 * Math.Max(1, Math.Abs(closedForm)), $"autograd {top:r}, closed form {closedForm:r}");
    }

    [Fact]
    public void LanczosOnTheAutogradOperatorEqualsTheDenseHessian()
    {
        using var network = TinyNetwork(Activation.Elu, seed: 41);
        using var scope = NewDisposeScope();
        var inputs = SyntheticData.Inputs(12, 3, seed: 42);
        var targets = SyntheticData.TeacherTargets(inputs, 2, seed: 43);
        using var op = new AutogradHessianOperator(network, LossFunction.HalfSquaredError, inputs, targets, batchSize: 5);

        double[] dense = SymmetricEigen.Eigenvalues(HessianOracles.Symmetrised(HessianOracles.Dense(op))).OrderDescending().ToArray();
        var lanczos = Sharpness.Core.Eigen.Lanczos.Solve(op, new Sharpness.Core.Eigen.EigenSolverOptions { Count = 3, StopCriterion = Sharpness.Core.Eigen.StopCriteria.Default(500, 1e-10) });

        Assert.True(lanczos.Converged);
        for (int k = 0; k < 3; k++)
        {
            Assert.True(Math.Abs(lanczos.Eigenvalues[k] - dense[k]) <= 1e-9 * Math.Max(1, Math.Abs(dense[0])), $"eigenvalue {k}: Lanczos {lanczos.Eigenvalues[k]:r}, dense {dense[k]:r}");
        }
    }

    [Fact]
    public void TheTopEigenvalueOfASmallNetworkEqualsThatOfTheFiniteDifferenceHessian()
    {
        using var network = TinyNetwork(Activation.Tanh, seed: 31);
        using var scope = NewDisposeScope();
        var inputs = SyntheticData.Inputs(10, 3, seed: 32);
        var targets = SyntheticData.TeacherTargets(inputs, 2, seed: 33);
        using var op = new AutogradHessianOperator(network, LossFunction.HalfSquaredError, inputs, targets, batchSize: 3);

        double top = SymmetricEigen.Top(HessianOracles.Symmetrised(HessianOracles.Dense(op)));
        double finiteDifference = SymmetricEigen.Top(HessianOracles.Symmetrised(
            HessianOracles.FiniteDifferenceHessian(network, 1e-5, LossFunction.HalfSquaredError, inputs, targets)));

        Assert.True(Math.Abs(top - finiteDifference) <= 1e-6 * Math.Abs(top), $"autograd {top:r}, finite differences {finiteDifference:r}");
        Assert.True(top > 0);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(7)]
    [InlineData(13)]
    public void TheBatchSizeDoesNotChangeTheHessianOfTheMeanLoss(int batchSize)
    {
        // 13 examples in batches of 4 leave a last batch of 1: a plain mean of batch means would
        // weight that one example four times too much.
        using var network = TinyNetwork(Activation.Tanh);
        using var scope = NewDisposeScope();
        var inputs = SyntheticData.Inputs(13, 3, seed: 40);
        var targets = SyntheticData.TeacherTargets(inputs, 2, seed: 41);
        using var whole = new AutogradHessianOperator(network, LossFunction.HalfSquaredError, inputs, targets, batchSize: 13);
        using var batched = new AutogradHessianOperator(network, LossFunction.HalfSquaredError, inputs, targets, batchSize: batchSize);
        double[] v = HessianOracles.RandomVector(whole.Size, seed: 42);
        var expected = new double[whole.Size];
        var actual = new double[whole.Size];

        whole.Apply(v, expected);
        batched.Apply(v, actual);

        Assert.True(HessianOracles.RelativeError(actual, expected) < 1e-13);
        Assert.Equal(whole.LossValue(), batched.LossValue(), 1e-14);
    }

    [Fact]
    public void TheLossIsTheMeanOverExamplesInEachConvention()
    {
        using var network = TinyNetwork(Activation.Tanh);
        using var scope = NewDisposeScope();
        var inputs = SyntheticData.Inputs(7, 3, seed: 50);
        var targets = SyntheticData.TeacherTargets(inputs, 2, seed: 51);
        double[] f = network.Clone(ScalarType.Float64).forward(inputs).detach().data<double>().ToArray();
        double[] y = targets.data<double>().ToArray();
        double sumOfSquares = f.Zip(y, (a, b) => (a - b) * (a - b)).Sum();
        using var cohen = new AutogradHessianOperator(network, LossFunction.HalfSquaredError, inputs, targets, batchSize: 3);
        using var kalra = new AutogradHessianOperator(network, LossFunction.HalfMeanSquaredError, inputs, targets, batchSize: 3);
        double[] v = HessianOracles.RandomVector(cohen.Size, seed: 52);
        var hvCohen = new double[cohen.Size];
        var hvKalra = new double[cohen.Size];

        cohen.Apply(v, hvCohen);
        kalra.Apply(v, hvKalra);

        Assert.Equal(0.5 * sumOfSquares / 7, cohen.LossValue(), 1e-14);
        Assert.Equal(0.5 * sumOfSquares / 7 / 2, kalra.LossValue(), 1e-14);
        Assert.True(HessianOracles.RelativeError(hvKalra, hvCohen.Select(h => h / 2).ToArray()) < 1e-14);
    }

    [Fact]
    public void TheSameSeedGivesBitIdenticalProducts()
    {
        double[] Run()
        {
            using var network = TinyNetwork(Activation.Relu, ScalarType.Float32, seed: 60);
            using var scope = NewDisposeScope();
            var inputs = SyntheticData.Inputs(20, 3, seed: 61);
            var targets = SyntheticData.TeacherTargets(inputs, 2, seed: 62);
            using var op = new AutogradHessianOperator(network, LossFunction.HalfSquaredError, inputs, targets, batchSize: 6);
            double[] v = HessianOracles.RandomVector(op.Size, seed: 63);
            var hv = new double[op.Size];
            op.Apply(v, hv);
            op.Apply(hv, v);
            return v;
        }

        double[] first = Run();
        double[] second = Run();

        Assert.Equal(first.Select(BitConverter.DoubleToInt64Bits), second.Select(BitConverter.DoubleToInt64Bits));
    }

    [Theory]
    [InlineData(ScalarType.Float64)]
    [InlineData(ScalarType.Float32)]
    public void KeptGraphsGiveBitIdenticalProductsToRebuiltOnes(ScalarType precision)
    {
        // 20 examples in batches of 6: three full batches and one of 2. Consecutive products through the kept
        // graphs must equal those of the operator that rebuilds every batch's graph for each product, bit for bit.
        using var network = TinyNetwork(Activation.Tanh, seed: 64);
        using var scope = NewDisposeScope();
        var inputs = SyntheticData.Inputs(20, 3, seed: 65);
        var targets = SyntheticData.TeacherTargets(inputs, 2, seed: 66);
        using var rebuilt = new AutogradHessianOperator(network, LossFunction.HalfSquaredError, inputs, targets, batchSize: 6, precision);
        using var kept = new AutogradHessianOperator(network, LossFunction.HalfSquaredError, inputs, targets, batchSize: 6, precision, retainGraphs: true);
        double[] v = HessianOracles.RandomVector(kept.Size, seed: 67);
        double[] expected = v, actual = v;

        for (int product = 0; product < 4; product++)
        {
            var nextExpected = new double[kept.Size];
            var nextActual = new double[kept.Size];
            rebuilt.Apply(expected, nextExpected);
            kept.Apply(actual, nextActual);
            Assert.Equal(nextExpected.Select(BitConverter.DoubleToInt64Bits), nextActual.Select(BitConverter.DoubleToInt64Bits));
            (expected, actual) = (nextExpected, nextActual);
        }

        Assert.False(rebuilt.RetainsGraphs);
        Assert.True(kept.RetainsGraphs);
        double[] oracle = HessianOracles.FiniteDifferenceHvp(network, v, 1e-5, LossFunction.HalfSquaredError, inputs, targets);
        var first = new double[kept.Size];
        kept.Apply(v, first);
        double tolerance = precision == ScalarType.Float64 ? 1e-6 : 1e-3;
        Assert.True(HessianOracles.RelativeError(first, oracle) < tolerance, $"relative error {HessianOracles.RelativeError(first, oracle):e3}");
    }

    [Fact]
    public void ASingleBatchIsAlwaysKeptAndOnlyFullyConnectedNetworksHaveAGraphEstimate()
    {
        using var network = TinyNetwork(Activation.Tanh);
        using var scope = NewDisposeScope();
        var inputs = SyntheticData.Inputs(8, 3, seed: 68);
        var targets = SyntheticData.TeacherTargets(inputs, 2, seed: 69);
        using var single = new AutogradHessianOperator(network, LossFunction.HalfSquaredError, inputs, targets, batchSize: 8);
        using var module = UvModule.Create(UvConfig(width: 4, input: [0.8, -0.3, 1.1], target: 2.0, seed: 8));

        Assert.True(single.RetainsGraphs);
        Assert.Null(AutogradHessianOperator.EstimatedRetainedGraphBytes(module, 8, 8, ScalarType.Float64));
        double small = AutogradHessianOperator.EstimatedRetainedGraphBytes(network, 8, 8, ScalarType.Float64)!.Value;
        double large = AutogradHessianOperator.EstimatedRetainedGraphBytes(network, 8000, 8, ScalarType.Float64)!.Value;
        double single32 = AutogradHessianOperator.EstimatedRetainedGraphBytes(network, 8000, 8, ScalarType.Float32)!.Value;
        Assert.True(small > 0 && large > 900 * small && large < 1100 * small, $"{small} {large}");
        Assert.Equal(large / 2, single32, 1e-9 * large);
    }

    [Fact]
    public void Float32ProductsAgreeWithFloat64ToSinglePrecision()
    {
        using var network = TinyNetwork(Activation.Tanh, ScalarType.Float32);
        using var scope = NewDisposeScope();
        var inputs = SyntheticData.Inputs(10, 3, seed: 70);
        var targets = SyntheticData.TeacherTargets(inputs, 2, seed: 71);
        using var op64 = new AutogradHessianOperator(network, LossFunction.HalfSquaredError, inputs, targets);
        using var op32 = new AutogradHessianOperator(network, LossFunction.HalfSquaredError, inputs, targets, precision: ScalarType.Float32);
        double[] v = HessianOracles.RandomVector(op64.Size, seed: 72);
        var hv64 = new double[op64.Size];
        var hv32 = new double[op64.Size];

        op64.Apply(v, hv64);
        op32.Apply(v, hv32);

        Assert.Equal(ScalarType.Float32, op32.Precision);
        double error = HessianOracles.RelativeError(hv32, hv64);
        Assert.True(error < 1e-5, $"relative error {error:e3}");
        Assert.True(error > 0, "float32 products should differ from float64 ones by rounding");
    }

    [Fact]
    public void TheOperatorIsTheHessianAtConstructionEvenIfTheModelChanges()
    {
        using var network = TinyNetwork(Activation.Tanh);
        using var scope = NewDisposeScope();
        var inputs = SyntheticData.Inputs(6, 3, seed: 80);
        var targets = SyntheticData.TeacherTargets(inputs, 2, seed: 81);
        using var op = new AutogradHessianOperator(network, LossFunction.HalfSquaredError, inputs, targets);
        double[] v = HessianOracles.RandomVector(op.Size, seed: 82);
        var before = new double[op.Size];
        var after = new double[op.Size];
        op.Apply(v, before);
        double[] theta = ParameterVector.Flatten(network);

        ParameterVector.Unflatten(network, theta.Select(t => t * 2).ToArray());
        inputs.mul_(3);
        op.Apply(v, after);

        Assert.Equal(before, after);
    }

    [Fact]
    public void ProductsAreCounted()
    {
        using var network = TinyNetwork(Activation.Tanh);
        using var scope = NewDisposeScope();
        var inputs = SyntheticData.Inputs(4, 3, seed: 90);
        var targets = SyntheticData.TeacherTargets(inputs, 2, seed: 91);
        using var op = new AutogradHessianOperator(network, LossFunction.HalfSquaredError, inputs, targets);
        var v = new double[op.Size];
        var hv = new double[op.Size];

        Assert.Equal(0, op.MatVecCount);
        for (int i = 0; i < 3; i++)
        {
            op.Apply(v, hv);
        }

        op.LossAndGradient(hv);
        Assert.Equal(3, op.MatVecCount);
    }

    [Fact]
    public void ShapeAndLengthErrorsAreExceptionsBeforeAnyLibTorchCall()
    {
        using var network = TinyNetwork(Activation.Tanh);
        using var scope = NewDisposeScope();
        var inputs = SyntheticData.Inputs(5, 3, seed: 95);
        var targets = SyntheticData.TeacherTargets(inputs, 2, seed: 96);
        var mse = LossFunction.HalfSquaredError;

        Assert.Throws<ArgumentException>(() => new AutogradHessianOperator(network, mse, SyntheticData.Inputs(5, 4, seed: 1), targets));
        Assert.Throws<ArgumentException>(() => new AutogradHessianOperator(network, mse, inputs, targets.narrow(0, 0, 4)));
        Assert.Throws<ArgumentException>(() => new AutogradHessianOperator(network, mse, inputs, targets.narrow(1, 0, 1)));
        Assert.Throws<ArgumentException>(() => new AutogradHessianOperator(network, mse, inputs.to(ScalarType.Int64), targets));
        Assert.Throws<ArgumentException>(() => new AutogradHessianOperator(network, LossFunction.CrossEntropy, inputs, targets));
        Assert.Throws<ArgumentException>(() => new AutogradHessianOperator(network, LossFunction.CrossEntropy, inputs, SyntheticData.Labels(5, 3, seed: 1).add(2)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AutogradHessianOperator(network, mse, inputs, targets, batchSize: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AutogradHessianOperator(network, mse, inputs, targets, precision: ScalarType.Float16));

        using var op = new AutogradHessianOperator(network, mse, inputs, targets);
        Assert.Throws<ArgumentException>(() => op.Apply(new double[op.Size + 1], new double[op.Size]));
        Assert.Throws<ArgumentException>(() => op.Apply(new double[op.Size], new double[op.Size - 1]));
        op.Dispose();
        Assert.Throws<ObjectDisposedException>(() => op.Apply(new double[op.Size], new double[op.Size]));
    }

    private static UvModelConfig UvConfig(int width, double[] input, double target, ulong seed) => new()
    {
        Width = width,
        Input = input,
        Target = target,
        Seed = seed,
        Parameterisation = Parameterisation.Ntp,
    };

    private static (Tensor Inputs, Tensor Targets) UvData(UvModelConfig config) => (
        tensor(config.Input, [1, config.InputDimension], ScalarType.Float64),
        tensor(new[] { config.Target }, [1, 1], ScalarType.Float64));
}
