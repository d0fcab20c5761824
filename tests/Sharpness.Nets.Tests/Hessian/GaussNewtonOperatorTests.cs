using Sharpness.Core.Eigen;
using Sharpness.Nets.Hessian;
using Sharpness.Nets.Models;
using Sharpness.Nets.Parameters;
using Sharpness.Nets.Tests.TestSupport;
using Sharpness.Uv.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpness.Nets.Tests.Hessian;

public sealed class GaussNewtonOperatorTests
{
    private static FullyConnectedNetwork TinyNetwork(Activation activation, ulong seed = 31) => new(new FullyConnectedConfig
    {
        InputDimension = 3,
        OutputDimension = 3,
        Depth = 3,
        Width = 4,
        Activation = activation,
        Seed = seed,
        DType = ScalarType.Float64,
    });

    public static TheoryData<string, Activation> Losses => new()
    {
        { "mse-sum", Activation.Tanh },
        { "mse-mean", Activation.Tanh },
        { "mse-mean", Activation.Relu },
        { "ce", Activation.Elu },
    };

    [Theory]
    [MemberData(nameof(Losses))]
    public void TheMatrixEqualsTheSumOfPerExampleJacobianProducts(string lossName, Activation activation)
    {
        var loss = lossName switch
        {
            "mse-sum" => LossFunction.HalfSquaredError,
            "mse-mean" => LossFunction.HalfMeanSquaredError,
            _ => LossFunction.CrossEntropy,
        };
        using var network = TinyNetwork(activation);
        using var scope = NewDisposeScope();
        var inputs = SyntheticData.Inputs(7, 3, seed: 1);
        var targets = loss == LossFunction.CrossEntropy ? SyntheticData.Labels(7, 3, seed: 2) : SyntheticData.TeacherTargets(inputs, 3, seed: 2);
        using var op = new GaussNewtonOperator(network, loss, inputs, targets, batchSize: 3);

        double[,] actual = HessianOracles.Dense(op);

        double[,] expected = DenseGaussNewton(network, loss, inputs);
        double scale = MaxAbs(expected);
        Assert.True(MaxAbsDifference(actual, expected) < 1e-12 * scale, $"difference {MaxAbsDifference(actual, expected):e3} at scale {scale:e3}");
    }

    [Fact]
    public void AtAZeroResidualTheHessianIsTheGaussNewtonMatrix()
    {
        // With targets equal to the network's own outputs the residual term Σ (f − y) ∇²f of the Hessian
        // vanishes: H = G exactly (an oracle that shares no code with the Jacobian products).
        using var network = TinyNetwork(Activation.Tanh, seed: 5);
        using var scope = NewDisposeScope();
        var inputs = SyntheticData.Inputs(6, 3, seed: 3);
        Tensor targets;
        using (no_grad())
        {
            targets = network.forward(inputs).detach().clone();
        }

        using var gaussNewton = new GaussNewtonOperator(network, LossFunction.HalfMeanSquaredError, inputs, targets, batchSize: 4);
        using var hessian = new AutogradHessianOperator(network, LossFunction.HalfMeanSquaredError, inputs, targets);

        double[,] g = HessianOracles.Dense(gaussNewton);
        double[,] h = HessianOracles.Dense(hessian);

        Assert.True(MaxAbsDifference(g, h) < 1e-12 * MaxAbs(h), $"difference {MaxAbsDifference(g, h):e3}");
    }

    [Fact]
    public void LanczosOnTheUvModuleGivesTheClosedFormNtk()
    {
        // uv-model.md: for f = vᵀUx/S on one example the NTK is λ = (|Ux|² + |v|²|x|²)/S² (with |x| = 1:
        // (|u|² + |v|²)/s²), and G = JᵀJ has rank one with exactly that eigenvalue.
        var config = new UvModelConfig { Width = 6, Input = [0.7, -1.2, 0.4], Target = 1.5, Seed = 9, Parameterisation = Parameterisation.Ntp };
        using var module = UvModule.Create(config);
        var network = UvFullNetwork.Create(config);
        double ux2 = 0, v2 = 0, x2 = config.Input.Sum(x => x * x);
        for (int i = 0; i < network.Width; i++)
        {
            double row = Enumerable.Range(0, 3).Sum(j => network.UAt(i, j) * config.Input[j]);
            ux2 += row * row;
            v2 += network.VAt(i) * network.VAt(i);
        }

        double expected = (ux2 + (v2 * x2)) / (network.Normaliser * network.Normaliser);
        using var scope = NewDisposeScope();
        using var op = new GaussNewtonOperator(module, LossFunction.HalfSquaredError,
            tensor(config.Input, [1, 3], ScalarType.Float64), tensor(new[] { config.Target }, [1, 1], ScalarType.Float64));

        var result = Lanczos.Solve(op, new EigenSolverOptions { Count = 2, StopCriterion = StopCriteria.Default(200, 1e-10) });

        Assert.True(result.Converged);
        Assert.Equal(expected, result.Eigenvalues[0], 10);
        Assert.Equal(0, result.Eigenvalues[1], 10);
    }

    [Fact]
    public void TheBatchSizeChangesOnlyRounding()
    {
        using var network = TinyNetwork(Activation.Tanh, seed: 8);
        using var scope = NewDisposeScope();
        var inputs = SyntheticData.Inputs(9, 3, seed: 4);
        var targets = SyntheticData.TeacherTargets(inputs, 3, seed: 5);
        using var whole = new GaussNewtonOperator(network, LossFunction.HalfSquaredError, inputs, targets);
        using var pieces = new GaussNewtonOperator(network, LossFunction.HalfSquaredError, inputs, targets, batchSize: 2);
        double[] v = HessianOracles.RandomVector(whole.Size, seed: 6);
        var a = new double[whole.Size];
        var b = new double[whole.Size];

        whole.Apply(v, a);
        pieces.Apply(v, b);

        Assert.True(HessianOracles.RelativeError(b, a) < 1e-13);
        Assert.Equal(1, whole.MatVecCount);
    }

    [Fact]
    public void WrongShapesAreRejectedBeforeLibTorchSeesThem()
    {
        using var network = TinyNetwork(Activation.Tanh);
        using var scope = NewDisposeScope();
        var inputs = SyntheticData.Inputs(5, 3, seed: 1);
        var targets = SyntheticData.TeacherTargets(inputs, 3, seed: 2);

        Assert.Throws<ArgumentException>(() => new GaussNewtonOperator(network, LossFunction.HalfSquaredError, SyntheticData.Inputs(5, 2, seed: 1), targets));
        Assert.Throws<ArgumentException>(() => new GaussNewtonOperator(network, LossFunction.HalfSquaredError, inputs, targets.narrow(1, 0, 2)));
        using var op = new GaussNewtonOperator(network, LossFunction.HalfSquaredError, inputs, targets);
        Assert.Throws<ArgumentException>(() => op.Apply(new double[op.Size - 1], new double[op.Size]));
    }

    /// <summary>Σ_i J_iᵀ (∂²ℓ_i/∂f²) J_i / N with J_i [k, P] from one backward pass per output, and the output Hessian written out by hand.</summary>
    private static double[,] DenseGaussNewton(NetworkModule network, LossFunction loss, Tensor inputs)
    {
        var parameters = ParameterVector.Ordered(network).Select(p => (Tensor)p.Parameter).ToArray();
        int size = ParameterVector.Count(network);
        int n = (int)inputs.shape[0], k = network.OutputDimension;
        var g = new double[size, size];
        for (int i = 0; i < n; i++)
        {
            using var scope = NewDisposeScope();
            Tensor outputs = network.forward(inputs.narrow(0, i, 1))[0];
            var jacobian = new double[k][];
            for (int a = 0; a < k; a++)
            {
                var rows = autograd.grad([outputs[a]], parameters, retain_graph: true);
                jacobian[a] = rows.SelectMany(r => r.contiguous().reshape(-1).data<double>().ToArray()).ToArray();
            }

            double[] f = outputs.detach().data<double>().ToArray();
            var outputHessian = new double[k, k];
            if (loss == LossFunction.CrossEntropy)
            {
                double max = f.Max();
                double[] e = f.Select(x => Math.Exp(x - max)).ToArray();
                double[] p = e.Select(x => x / e.Sum()).ToArray();
                for (int a = 0; a < k; a++)
                {
                    for (int b = 0; b < k; b++)
                    {
                        outputHessian[a, b] = (a == b ? p[a] : 0) - (p[a] * p[b]);
                    }
                }
            }
            else
            {
                for (int a = 0; a < k; a++)
                {
                    outputHessian[a, a] = loss == LossFunction.HalfMeanSquaredError ? 1.0 / k : 1.0;
                }
            }

            for (int a = 0; a < k; a++)
            {
                for (int b = 0; b < k; b++)
                {
                    double weight = outputHessian[a, b] / n;
                    if (weight == 0)
                    {
                        continue;
                    }

                    for (int p = 0; p < size; p++)
                    {
                        for (int q = 0; q < size; q++)
                        {
                            g[p, q] += weight * jacobian[a][p] * jacobian[b][q];
                        }
                    }
                }
            }
        }

        return g;
    }

    private static double MaxAbs(double[,] a) => a.Cast<double>().Max(Math.Abs);

    private static double MaxAbsDifference(double[,] a, double[,] b)
    {
        double max = 0;
        for (int i = 0; i < a.GetLength(0); i++)
        {
            for (int j = 0; j < a.GetLength(1); j++)
            {
                max = Math.Max(max, Math.Abs(a[i, j] - b[i, j]));
            }
        }

        return max;
    }
}
