using Sharpness.Nets.Hessian;
using Sharpness.Nets.Models;
using Sharpness.Nets.Parameters;
using Sharpness.Nets.Tests.TestSupport;
using Sharpness.Nets.Training;
using static TorchSharp.torch;

namespace Sharpness.Nets.Tests.Hessian;

public sealed class FunctionSpaceProjectionTests
{
    private static FullyConnectedNetwork TinyNetwork() => new(new FullyConnectedConfig
    {
        InputDimension = 3,
        OutputDimension = 2,
        Depth = 3,
        Width = 5,
        Activation = Activation.Tanh,
        Seed = 4,
        DType = ScalarType.Float64,
    });

    /// <summary>The outputs [M·k] (row-major) at θ.</summary>
    private static double[] Outputs(NetworkModule model, double[] theta, Tensor inputs)
    {
        using var copy = model.Clone(ScalarType.Float64);
        ParameterVector.Unflatten(copy, theta);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        return copy.forward(inputs).contiguous().reshape(-1).data<double>().ToArray();
    }

    /// <summary>The Jacobian ∂F/∂θ [M·k × P] by central differences, column by column: no autograd involved.</summary>
    private static double[,] FiniteDifferenceJacobian(NetworkModule model, Tensor inputs, double h = 1e-5)
    {
        double[] theta = ParameterVector.Flatten(model);
        int rows = Outputs(model, theta, inputs).Length;
        var jacobian = new double[rows, theta.Length];
        for (int j = 0; j < theta.Length; j++)
        {
            double[] plus = (double[])theta.Clone(), minus = (double[])theta.Clone();
            plus[j] += h;
            minus[j] -= h;
            double[] fp = Outputs(model, plus, inputs), fm = Outputs(model, minus, inputs);
            for (int i = 0; i < rows; i++)
            {
                jacobian[i, j] = (fp[i] - fm[i]) / (2 * h);
            }
        }

        return jacobian;
    }

    [Theory]
    [InlineData(false, 7)]
    [InlineData(true, 3)]
    public void EqualsTheProjectionComputedFromAFiniteDifferenceJacobian(bool meanOverOutputs, int batchSize)
    {
        using var network = TinyNetwork();
        using var scope = NewDisposeScope();
        const int m = 7, k = 2;
        var inputs = SyntheticData.Inputs(m, 3, seed: 5);
        var targets = SyntheticData.TeacherTargets(inputs, k, seed: 6);
        var loss = meanOverOutputs ? LossFunction.HalfMeanSquaredError : LossFunction.HalfSquaredError;
        double[] direction = HessianOracles.RandomVector(ParameterVector.Count(network), seed: 7).Select(x => 3 * x).ToArray();

        var projection = FunctionSpaceProjection.Compute(network, loss, inputs, targets, direction, batchSize);

        // By hand: scale √(w/M) with w = 1 (mse-sum) or 1/k (mse-mean); v̂ = v/‖v‖; u = J v̂/‖J v̂‖ signed so that ⟨Y, u⟩ ≥ 0.
        double scale = Math.Sqrt((meanOverOutputs ? 1.0 / k : 1.0) / m);
        double[,] jacobian = FiniteDifferenceJacobian(network, inputs);
        int rows = m * k, p = direction.Length;
        double norm = Math.Sqrt(direction.Sum(x => x * x));
        double[] jv = Enumerable.Range(0, rows).Select(i => Enumerable.Range(0, p).Sum(j => jacobian[i, j] * direction[j] / norm)).ToArray();
        double jvNorm = Math.Sqrt(jv.Sum(x => x * x));
        double[] u = jv.Select(x => x / jvNorm).ToArray();
        double[] f = Outputs(network, ParameterVector.Flatten(network), inputs);
        double[] y = targets.contiguous().reshape(-1).data<double>().ToArray();
        double fu = scale * f.Zip(u, (a, b) => a * b).Sum();
        double yu = scale * y.Zip(u, (a, b) => a * b).Sum();
        if (yu < 0)
        {
            (fu, yu) = (-fu, -yu);
        }

        double[] jtu = Enumerable.Range(0, p).Select(j => Enumerable.Range(0, rows).Sum(i => jacobian[i, j] * u[i])).ToArray();
        double ntk = scale * scale * jtu.Sum(x => x * x);
        double gaussNewton = scale * scale * jvNorm * jvNorm;
        double residualNorm = scale * Math.Sqrt(f.Zip(y, (a, b) => (a - b) * (a - b)).Sum());

        Assert.Equal(fu, projection.Output, 8);
        Assert.Equal(yu, projection.Target, 8);
        Assert.True(projection.Target >= 0);
        Assert.True(Math.Abs(projection.Ntk - ntk) <= 1e-7 * ntk, $"NTK {projection.Ntk} vs {ntk}");
        Assert.True(Math.Abs(projection.GaussNewton - gaussNewton) <= 1e-7 * gaussNewton, $"GN {projection.GaussNewton} vs {gaussNewton}");
        Assert.Equal(residualNorm, projection.ResidualNorm, 12);
        Assert.True(projection.Ntk >= projection.GaussNewton, "Cauchy–Schwarz: uᵀKu ≥ ‖J̃v̂‖²");
        Assert.Equal(projection.Output - projection.Target, projection.Residual, 15);
    }

    [Fact]
    public void AZeroDirectionHasNoProjection()
    {
        using var network = TinyNetwork();
        using var scope = NewDisposeScope();
        var inputs = SyntheticData.Inputs(4, 3, seed: 5);
        var targets = SyntheticData.TeacherTargets(inputs, 2, seed: 6);

        var projection = FunctionSpaceProjection.Compute(network, LossFunction.HalfSquaredError, inputs, targets, new double[ParameterVector.Count(network)]);

        Assert.Same(FunctionSpaceProjection.Undefined, projection);
    }

    [Fact]
    public void RejectsCrossEntropyAndWrongLengths()
    {
        using var network = TinyNetwork();
        using var scope = NewDisposeScope();
        var inputs = SyntheticData.Inputs(4, 3, seed: 5);
        var targets = SyntheticData.TeacherTargets(inputs, 2, seed: 6);
        var labels = SyntheticData.Labels(4, 2, seed: 7);
        double[] direction = new double[ParameterVector.Count(network)];
        direction[0] = 1;

        Assert.Throws<ArgumentException>(() => FunctionSpaceProjection.Compute(network, LossFunction.CrossEntropy, inputs, labels, direction));
        Assert.Throws<ArgumentException>(() => FunctionSpaceProjection.Compute(network, LossFunction.HalfSquaredError, inputs, targets, new double[3]));
        Assert.Throws<ArgumentException>(() => new SharpnessTracker(LossFunction.CrossEntropy, new ExampleSet(inputs, labels), new SharpnessTrackerOptions { ProjectOnTopEigenvector = true }));
    }
}
