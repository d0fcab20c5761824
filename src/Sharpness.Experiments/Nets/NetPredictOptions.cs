using Sharpness.Nets.Experiments;
using Sharpness.Nets.Models;
using Sharpness.Nets.Training;
using Sharpness.Uv.Simulation;

namespace Sharpness.Experiments.Nets;

/// <summary>
/// The options of <see cref="NetPredictExperiment"/>: the network and training shared by every run, the
/// configurations of the prediction runs (parameterisations × widths × init scales, plus the zero-readout
/// ones) and the large learning rates of the oscillation runs.
/// </summary>
public sealed record NetPredictOptions
{
    /// <summary>Training examples of the command when neither a preset nor <c>--train-size</c> sets them.</summary>
    public const int DefaultTrainSize = 1000;

    /// <summary>Steps of the prediction runs when neither a preset nor <c>--steps</c> sets them.</summary>
    public const int DefaultSteps = 60;

    /// <summary>Sharpness interval of the prediction runs when neither a preset nor <c>--sharpness-every</c> sets it.</summary>
    public const int DefaultSharpnessEvery = 2;

    /// <summary>η = c/λ_H(0) with this c when neither a preset nor <c>--lr</c>/<c>--lr-constant</c> sets η.</summary>
    public const double DefaultLrConstant = 1.0;

    /// <summary>The oscillation runs' default multiples a of 2/λ_H(0).</summary>
    public static readonly IReadOnlyList<double> DefaultLearningRateFactors = [3.5, 4, 4.5, 5];

    /// <summary>
    /// The settings every run shares (fully connected, squared-error loss, sharpness tracked); each prediction run
    /// sets its parameterisation, width, init scale and readout. <see cref="WithCommandDefaults"/> gives the command's defaults.
    /// </summary>
    public required NetworkSettings Network { get; init; }

    /// <summary>Parameterisations of the prediction runs; default sp, ntp, mup-out, mup-abc.</summary>
    public IReadOnlyList<NetworkParameterisation> Parameterisations { get; init; } =
        [NetworkParameterisation.Sp, NetworkParameterisation.Ntp, NetworkParameterisation.MuPOutput, NetworkParameterisation.MuPAbc];

    /// <summary>Hidden widths of the prediction runs; default 64, 256.</summary>
    public IReadOnlyList<int> Widths { get; init; } = [64, 256];

    /// <summary>Hidden-layer variances σ_w² of the prediction runs; null (default): the activation's (2 for relu, 1 otherwise).</summary>
    public IReadOnlyList<double>? InitScales { get; init; }

    /// <summary>Parameterisations that also run with a zero readout, at every width and init scale; default sp.</summary>
    public IReadOnlyList<NetworkParameterisation> ZeroReadoutParameterisations { get; init; } = [NetworkParameterisation.Sp];

    /// <summary>Relative band around λ_H(0) whose exit decides the observed early trend; default <see cref="EarlyTrendClassifier.DefaultTolerance"/>.</summary>
    public double TrendTolerance { get; init; } = EarlyTrendClassifier.DefaultTolerance;

    /// <summary>Run the oscillation runs (part 2); default true.</summary>
    public bool Oscillation { get; init; } = true;

    /// <summary>Oscillation runs: absolute learning rates; null (default): <see cref="LearningRateFactors"/>.</summary>
    public IReadOnlyList<double>? LearningRates { get; init; }

    /// <summary>Oscillation runs: learning rates as multiples a of 2/λ_H(0) (η = 2a/λ_H(0)); null: <see cref="DefaultLearningRateFactors"/> unless <see cref="LearningRates"/> is given.</summary>
    public IReadOnlyList<double>? LearningRateFactors { get; init; }

    /// <summary>Oscillation runs: steps per run; default 300.</summary>
    public int LateSteps { get; init; } = 300;

    /// <summary>Oscillation runs: the last W steps, where the sharpness is measured every step and the periods and Lyapunov exponents are estimated; default 40.</summary>
    public int LateWindow { get; init; } = 40;

    /// <summary>Oscillation runs: sharpness every k steps before the late window; default 10.</summary>
    public int LateSharpnessEvery { get; init; } = 10;

    /// <summary>Largest period looked for in the late series; default <see cref="OscillationPeriod.DefaultMaxPeriod"/>.</summary>
    public int MaxPeriod { get; init; } = OscillationPeriod.DefaultMaxPeriod;

    /// <summary>Misfit below which a period is accepted; default <see cref="OscillationPeriod.DefaultTolerance"/>.</summary>
    public double PeriodTolerance { get; init; } = OscillationPeriod.DefaultTolerance;

    /// <summary>
    /// Runs (prediction and oscillation runs alike) trained side by side, each on one thread (<c>--jobs</c>); null
    /// (default): the cores available to the process, fewer when memory would not hold them; 1: one after another.
    /// Results are identical whatever the count.
    /// </summary>
    public int? Jobs { get; init; }

    /// <summary>
    /// The command's defaults for settings resolved without a preset: 1,000 training examples, no test set, 60 steps,
    /// η = 1/λ_H(0) and the sharpness every 2 steps, each unless its option was typed. With a preset, the settings unchanged.
    /// </summary>
    /// <param name="settings">The resolved settings.</param>
    /// <param name="typed">Whether an option (as typed, e.g. "--steps") was given.</param>
    public static NetworkSettings WithCommandDefaults(NetworkSettings settings, Func<string, bool> typed)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(typed);
        if (settings.Preset is not null)
        {
            return settings;
        }

        var trainer = settings.Trainer;
        settings = settings with
        {
            TrainSize = typed("--train-size") ? settings.TrainSize : DefaultTrainSize,
            TestSize = typed("--test-size") ? settings.TestSize : 0,
        };
        if (!typed("--steps"))
        {
            trainer = trainer with { MaxSteps = DefaultSteps };
        }

        if (!typed("--lr") && !typed("--lr-constant"))
        {
            trainer = trainer with { LearningRate = LearningRateSpec.RelativeToInitialSharpness(DefaultLrConstant) };
            settings = settings with { LrConstant = DefaultLrConstant };
        }

        if (!typed("--sharpness-every") && trainer.Tracking is not null)
        {
            trainer = trainer with { Tracking = trainer.Tracking with { Interval = DefaultSharpnessEvery } };
        }

        return settings with { Trainer = trainer };
    }

    /// <summary>Checks every value, naming the option as typed.</summary>
    /// <exception cref="InvalidOptionException">A value is invalid or a configuration exceeds the machine's limits.</exception>
    public void Validate() => Resolve();

    /// <summary>Checks the options; returns the prediction runs' configurations and the oscillation plan (null without oscillation runs).</summary>
    internal (IReadOnlyList<NetPredictConfiguration> Configurations, NetOscillationPlan? Plan) Resolve()
    {
        var settings = Network;
        NetJobs.Check(Jobs, [settings]);
        if (!ResidualKernel.IsSquaredError(settings.Trainer.Loss))
        {
            throw new InvalidOptionException("--loss", "net predict compares with the UV model, whose loss is the squared error: use mse-sum or mse-mean.");
        }

        if (settings.ModelKind != "fc")
        {
            throw new InvalidOptionException("--model", "net predict varies the parameterisation and the readout of fully connected networks: use --model fc.");
        }

        if (settings.Trainer.Tracking is null || settings.Trainer.Tracking.Interval == int.MaxValue)
        {
            throw new InvalidOptionException("--sharpness-every", "net predict needs the sharpness during the run: give k >= 1.");
        }

        if (settings.Trainer.MaxSteps < 1)
        {
            throw new InvalidOptionException("--steps", "the prediction runs need at least one step.");
        }

        var configurations = Configurations();
        if (!(TrendTolerance > 0 && TrendTolerance < 1))
        {
            throw new InvalidOptionException("--trend-tolerance", $"must lie in (0, 1) (got {OptionChecks.Text(TrendTolerance)}).");
        }

        return (configurations, Oscillation ? Plan(configurations[0]) : null);
    }

    private List<NetPredictConfiguration> Configurations()
    {
        if (Parameterisations.Count == 0)
        {
            throw new InvalidOptionException("--params", "expected a comma-separated list, got nothing.");
        }

        if (Widths.Count == 0)
        {
            throw new InvalidOptionException("--widths", "expected a comma-separated list of integers, got nothing.");
        }

        var parameterisations = Parameterisations.Distinct().ToArray();
        int[] widths = Widths.Distinct().ToArray();
        foreach (int width in widths)
        {
            OptionChecks.AtLeast(width, 1, "--widths");
            (Network with { Width = width }).CheckLimits(widthOption: "--widths");
        }

        if (InitScales is { Count: 0 })
        {
            throw new InvalidOptionException("--init-scales", "expected a comma-separated list of numbers, got nothing.");
        }

        double?[] scales = InitScales is { } given ? given.Distinct().Select(s => (double?)OptionChecks.Positive(s, "--init-scales")).ToArray() : [null];
        Network.RequireFloat32("--init-scales", scales.Select(s => s ?? 1));
        foreach (int width in widths)
        {
            foreach (double? scale in scales)
            {
                // Initial weights that round to zero in float32 (a variance such as 1e-320).
                (Network with { Width = width, InitScale = scale ?? Network.InitScale }).CheckLimits("--widths", initScaleOption: "--init-scales");
            }
        }
        var zero = ZeroReadoutParameterisations.Distinct().ToArray();
        if (Network.Initialisation == Initialisation.Torch)
        {
            var undefined = parameterisations.Concat(zero).Where(p => p is not (NetworkParameterisation.Sp or NetworkParameterisation.MuPOutput)).ToArray();
            if (undefined.Length > 0)
            {
                throw new InvalidOptionException("--init", $"torch (PyTorch's default for the standard parameterisation) is not defined for {undefined[0].Name()}: give --params sp,mup-out or --init normal.");
            }

            if (InitScales is not null)
            {
                throw new InvalidOptionException("--init-scales", "set the variance of the normal initialisation; --init torch has fixed bounds 1/sqrt(fan_in).");
            }
        }

        var configs = new List<NetPredictConfiguration>();
        foreach (bool zeroReadout in new[] { false, true })
        {
            foreach (var parameterisation in zeroReadout ? zero : parameterisations)
            {
                foreach (int width in widths)
                {
                    foreach (double? scale in scales)
                    {
                        double effective = scale ?? Network.Activation.StandardHiddenVariance();
                        string name = FormattableString.Invariant($"{parameterisation.Name()}-w{width}-s{effective:G4}{(zeroReadout ? "-zero" : string.Empty)}");
                        configs.Add(new NetPredictConfiguration(name, parameterisation, width, scale, effective, zeroReadout));
                    }
                }
            }
        }

        return configs;
    }

    private NetOscillationPlan Plan(NetPredictConfiguration model)
    {
        if (LearningRates is not null && LearningRateFactors is not null)
        {
            throw new InvalidOptionException("--lrs", "give either --lrs or --lr-factors, not both.");
        }

        int steps = OptionChecks.AtLeast(LateSteps, 3, "--late-steps");
        int window = OptionChecks.AtLeast(LateWindow, 6, "--late-window");
        if (window > steps + 1)
        {
            throw new InvalidOptionException("--late-window", $"must be at most --late-steps + 1 = {steps + 1} (got {window}).");
        }

        int every = OptionChecks.AtLeast(LateSharpnessEvery, 1, "--late-sharpness-every");
        int maxPeriod = OptionChecks.AtLeast(MaxPeriod, 1, "--max-period");
        if (!(PeriodTolerance > 0 && PeriodTolerance < 1))
        {
            throw new InvalidOptionException("--period-tolerance", $"must lie in (0, 1) (got {OptionChecks.Text(PeriodTolerance)}).");
        }

        List<LearningRateSpec> rates;
        List<string> names;
        if (LearningRates is { } values)
        {
            CheckPositive(values, "--lrs");
            Network.RequireFloat32("--lrs", values);
            rates = values.Select(LearningRateSpec.Absolute).ToList();
            names = values.Select(v => FormattableString.Invariant($"eta={v:G4}")).ToList();
        }
        else
        {
            var factors = LearningRateFactors ?? DefaultLearningRateFactors;
            CheckPositive(factors, "--lr-factors");
            rates = factors.Select(a => LearningRateSpec.RelativeToInitialSharpness(2 * a)).ToList();
            names = factors.Select(a => FormattableString.Invariant($"a={a:G4}")).ToList();
        }

        // The first configuration of the prediction runs (never a zero-readout one).
        return new NetOscillationPlan(model, rates, names, steps, window, every, maxPeriod, PeriodTolerance);
    }

    private static void CheckPositive(IReadOnlyList<double> values, string option)
    {
        if (values.Count == 0)
        {
            throw new InvalidOptionException(option, "expected a comma-separated list of numbers, got nothing.");
        }

        foreach (double value in values)
        {
            OptionChecks.Positive(value, option);
        }
    }
}

/// <summary>One configuration of the prediction runs.</summary>
/// <param name="Name">Its name in the outputs, e.g. sp-w64-s2 or sp-w64-s2-zero.</param>
/// <param name="Parameterisation">The parameterisation.</param>
/// <param name="Width">The hidden width.</param>
/// <param name="InitScale">σ_w² as given (null: the activation's).</param>
/// <param name="EffectiveInitScale">σ_w² used.</param>
/// <param name="ZeroReadout">Whether the readout starts at zero.</param>
public sealed record NetPredictConfiguration(string Name, NetworkParameterisation Parameterisation, int Width, double? InitScale, double EffectiveInitScale, bool ZeroReadout)
{
    /// <summary>The shared settings with this configuration's parameterisation, width, init scale and readout.</summary>
    /// <param name="settings">The shared settings.</param>
    public NetworkSettings Apply(NetworkSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings with { Parameterisation = Parameterisation, Width = Width, InitScale = InitScale, ZeroReadout = ZeroReadout };
    }
}

/// <summary>The oscillation runs: the model (the first prediction configuration), its learning rates and how the late window is analysed.</summary>
/// <param name="Model">The configuration trained.</param>
/// <param name="Rates">The learning rates.</param>
/// <param name="RateNames">Their names in the outputs (a=3.5 or eta=0.1).</param>
/// <param name="Steps">Steps per run.</param>
/// <param name="Window">The last W steps analysed.</param>
/// <param name="Every">Sharpness interval before the window.</param>
/// <param name="MaxPeriod">Largest period looked for.</param>
/// <param name="PeriodTolerance">Misfit below which a period is accepted.</param>
public sealed record NetOscillationPlan(NetPredictConfiguration Model, IReadOnlyList<LearningRateSpec> Rates, IReadOnlyList<string> RateNames, int Steps, int Window, int Every, int MaxPeriod, double PeriodTolerance);
