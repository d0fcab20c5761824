using Sharpness.Core.Random;

namespace Sharpness.Uv.Model;

/// <summary>
/// The UV model with its full first layer U ∈ R^{n×d}: f = vᵀUx / S. Plain gradient descent on
/// every entry of U and v, with no reduction; it exists to check that the reduced
/// <see cref="UvNetwork"/> is exact, and for small models where the whole U is wanted.
/// Memory is n·d doubles.
/// </summary>
public sealed class UvFullNetwork
{
    private readonly double[,] _u;
    private readonly double[] _v;
    private readonly double[] _x;

    private UvFullNetwork(double[,] u, double[] v, double[] x, double normaliser)
    {
        _u = u;
        _v = v;
        _x = x;
        Normaliser = normaliser;
    }

    /// <summary>Width n.</summary>
    public int Width => _v.Length;

    /// <summary>Input dimension d.</summary>
    public int InputDimension => _x.Length;

    /// <summary>The output normaliser S (not divided by |x|).</summary>
    public double Normaliser { get; }

    /// <summary>Entry U_ij.</summary>
    public double UAt(int i, int j) => _u[i, j];

    /// <summary>Entry v_i.</summary>
    public double VAt(int i) => _v[i];

    /// <summary>Output f = vᵀUx / S.</summary>
    public double Output
    {
        get
        {
            double sum = 0;
            for (int i = 0; i < Width; i++)
            {
                sum += _v[i] * HiddenPreActivation(i);
            }

            return sum / Normaliser;
        }
    }

    /// <summary>NTK of the single example: |∂f/∂U|² + |∂f/∂v|² = (|v|²|x|² + |Ux|²) / S².</summary>
    public double Ntk
    {
        get
        {
            double vv = 0, hh = 0, xx = 0;
            for (int i = 0; i < Width; i++)
            {
                double h = HiddenPreActivation(i);
                vv += _v[i] * _v[i];
                hh += h * h;
            }

            for (int j = 0; j < InputDimension; j++)
            {
                xx += _x[j] * _x[j];
            }

            return ((vv * xx) + hh) / (Normaliser * Normaliser);
        }
    }

    /// <summary>Draws (or copies) the weights exactly as <see cref="UvNetwork.Create"/> does, without reducing them.</summary>
    /// <param name="config">A configuration; validated here.</param>
    public static UvFullNetwork Create(UvModelConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        int n = config.EffectiveWidth;
        int d = config.InputDimension;
        var u = new double[n, d];
        double[] v;
        if (config.InitialWeights is { } weights)
        {
            Array.Copy(weights.U, u, weights.U.Length);
            v = (double[])weights.V.Clone();
        }
        else
        {
            var rngU = DeterministicRandom.ForStream(config.Seed, 0);
            double sdU = Math.Sqrt(config.Parameterisation.VarianceU(n, d, config.BaseVariance));
            var row = new double[d];
            for (int i = 0; i < n; i++)
            {
                rngU.FillGaussian(row, sdU);
                for (int j = 0; j < d; j++)
                {
                    u[i, j] = row[j];
                }
            }

            v = new double[n];
            DeterministicRandom.ForStream(config.Seed, 1).FillGaussian(v, Math.Sqrt(config.Parameterisation.VarianceV(n, config.BaseVariance)));
        }

        return new UvFullNetwork(u, v, (double[])config.Input.Clone(), config.Normaliser);
    }

    /// <summary>
    /// One gradient-descent step on ½(f − y)² + ½γ(‖U‖²_F + |v|²):
    /// U' = ρU − (ηΔf/S) v xᵀ, v' = ρv − (ηΔf/S) U x, with ρ = 1 − ηγ.
    /// </summary>
    /// <param name="learningRate">η.</param>
    /// <param name="target">y.</param>
    /// <param name="weightDecay">γ ≥ 0.</param>
    public void Step(double learningRate, double target, double weightDecay = 0)
    {
        double a = learningRate * (Output - target) / Normaliser;
        double rho = 1 - learningRate * weightDecay;
        var hidden = new double[Width];
        for (int i = 0; i < Width; i++)
        {
            hidden[i] = HiddenPreActivation(i);
        }

        for (int i = 0; i < Width; i++)
        {
            double vi = _v[i];
            for (int j = 0; j < InputDimension; j++)
            {
                _u[i, j] = (rho * _u[i, j]) - (a * vi * _x[j]);
            }

            _v[i] = (rho * vi) - (a * hidden[i]);
        }
    }

    private double HiddenPreActivation(int i)
    {
        double sum = 0;
        for (int j = 0; j < InputDimension; j++)
        {
            sum += _u[i, j] * _x[j];
        }

        return sum;
    }
}
