namespace Sharpness.Experiments.Reproduction;

/// <summary>
/// One experiment of the reproduction: a run folder and the command lines that fill it, at the quick
/// and the full sizes. A command line is written as the user would type it after <c>sharpness</c>,
/// without <c>--out</c>; <c>$out</c> stands for the reproduction's folder and <c>$data</c> for the
/// dataset folder (both substituted after splitting at spaces, so they may contain spaces).
/// </summary>
/// <param name="Name">Run folder name under the reproduction's folder.</param>
/// <param name="Title">What the run shows, in one sentence.</param>
/// <param name="RealNetwork">Whether it trains a real network (skipped with the dataset missing or --no-net).</param>
/// <param name="Full">The command line of a full reproduction.</param>
/// <param name="Quick">The command line of a quick one (null: the same as <paramref name="Full"/>).</param>
public sealed record ReproductionExperiment(string Name, string Title, bool RealNetwork, string Full, string? Quick = null)
{
    /// <summary>Placeholder for the reproduction's folder.</summary>
    public const string OutPlaceholder = "$out";

    /// <summary>Placeholder for the dataset folder.</summary>
    public const string DataPlaceholder = "$data";

    /// <summary>
    /// Wall time of the full size run alone on one core, in seconds, as last measured (experiment list
    /// version 6 on the 2-core machine of docs/benchmarks.md, each experiment in one job of a reproduction on
    /// two; an experiment in parts: all its parts); 0 for the UV runs, which take about a second. Only the order
    /// in which a reproduction starts its experiments (and their parts, each with its share) depends on it
    /// (<see cref="ReproductionPlan.StartOrder"/>).
    /// </summary>
    public double FullSeconds { get; init; }

    /// <summary>As <see cref="FullSeconds"/>, at the quick size.</summary>
    public double QuickSeconds { get; init; }

    /// <summary>
    /// Parts the full size run splits into (1: none): the command takes <c>--shard i/N</c>, and a reproduction runs its N
    /// parts as units of their own (side by side on several jobs), then the command itself, which reuses what they wrote
    /// and writes the summary (<c>net eos</c>: one part per learning rate).
    /// </summary>
    public int FullShards { get; init; } = 1;

    /// <summary>As <see cref="FullShards"/>, at the quick size.</summary>
    public int QuickShards { get; init; } = 1;

    /// <summary>The parts at the given size (<see cref="FullShards"/> or <see cref="QuickShards"/>).</summary>
    /// <param name="quick">Quick sizes.</param>
    public int Shards(bool quick) => quick ? QuickShards : FullShards;

    /// <summary>The expected wall time alone at the given size (<see cref="FullSeconds"/> or <see cref="QuickSeconds"/>).</summary>
    /// <param name="quick">Quick sizes.</param>
    public double ExpectedSeconds(bool quick) => quick ? QuickSeconds : FullSeconds;

    /// <summary>The arguments of the command at the given size, placeholders substituted, without --out.</summary>
    /// <param name="quick">Quick sizes.</param>
    /// <param name="folder">The reproduction's folder.</param>
    /// <param name="dataDir">The dataset folder.</param>
    public string[] Arguments(bool quick, string folder, string dataDir) =>
        (quick ? Quick ?? Full : Full).Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(a => a == DataPlaceholder ? dataDir : a.StartsWith(OutPlaceholder + "/", StringComparison.Ordinal) ? Path.Combine(folder, a[(OutPlaceholder.Length + 1)..]) : a)
            .ToArray();
}

/// <summary>
/// The reproduction's experiments, in the order they run: the UV model first (seconds), then the
/// real networks on Fashion-MNIST. Changing an experiment's size is a one-line edit here; changing
/// what a claim reads or decides is an edit of that claim's file under Claims/. Any change that alters
/// a run or a verdict raises <see cref="Version"/>.
/// </summary>
public static class ExperimentList
{
    /// <summary>Version of the experiment list and the claim criteria; changes whenever either changes.</summary>
    public const int Version = 6;

    /// <summary>Initial weights of test vector TV3 (on the EoS manifold at r = 1.05), written into the reproduction's folder.</summary>
    public const string Tv3InitFile = "tv3-init.json";

    /// <summary>Initial weights with an output far above the target, written into the reproduction's folder.</summary>
    public const string LargeOutputInitFile = "large-output-init.json";

    /// <summary>The contents of <see cref="Tv3InitFile"/>.</summary>
    public const string Tv3Init = "{\"u\": [1, 1, 1, 1], \"v\": [1, 1, 1, 1]}\n";

    /// <summary>The contents of <see cref="LargeOutputInitFile"/>.</summary>
    public const string LargeOutputInit = "{\"u\": [4, 0, 0, 0], \"v\": [4, 0, 0, 0]}\n";

#pragma warning disable CS1591 // The run names are documented by the experiments' titles below.
    public const string UvDefault = "uv-default";
    public const string UvLargeOutput = "uv-large-output";
    public const string UvMupSharpening = "uv-mup-sharpening";
    public const string UvCatapult = "uv-catapult";
    public const string UvTv3 = "uv-tv3";
    public const string Cascade = "cascade";
    public const string Orbit = "orbit";
    public const string OrbitZoom = "orbit-zoom";
    public const string Lyapunov = "lyapunov";
    public const string LyapunovChaos = "lyapunov-r1.4";
    public const string PhaseScaled = "phase-scaled";
    public const string PhaseWidth = "phase-width";
    public const string Field = "field";
    public const string FieldEos = "field-eos";
    public const string NetEos = "net-eos";
    public const string NetEarlyPhase = "net-early-phase";
    public const string NetPredict = "net-predict";
    public const string NetFitUv = "net-fit-uv";
#pragma warning restore CS1591

    /// <summary>Every experiment, UV model first, then the real networks.</summary>
    public static IReadOnlyList<ReproductionExperiment> All { get; } =
    [
        new(UvDefault, "UV model, defaults (NTP, n = 100, eta = 0.5): early sharpness reduction, then convergence", false,
            "uv simulate"),
        new(UvLargeOutput, "UV model, initial output far above the target (f0 = 8, y = 1), NTP, small learning rate: sharpness reduction", false,
            "uv simulate --init-file $out/large-output-init.json --lr 0.05 --steps 500"),
        new(UvMupSharpening, "UV model, muP, eta = 1.8/lambda_H(0): progressive sharpening, self-stabilised EoS", false,
            "uv simulate --param mup --width 1000 --lr-constant 1.8 --steps 500"),
        new(UvCatapult, "UV model, catapult: eta = 3/lambda_H(0), muP, width 1000", false,
            "uv simulate --param mup --width 1000 --lr-constant 3 --steps 300"),
        new(UvTv3, "UV model on the EoS manifold, r = 1.05 (test vector TV3): period-2 edge of stability", false,
            "uv simulate --init-file $out/tv3-init.json --normalizer 2 --lr 2.1 --steps 400"),
        new(Cascade, "Period-doubling cascade on the EoS manifold", false,
            "uv cascade"),
        new(Orbit, "Orbit diagram against r = eta/eta_c", false,
            Full: "uv orbit --r-min 0.8 --r-max 1.8 --points 2000 --transient 3000 --keep 200",
            Quick: "uv orbit --r-min 0.8 --r-max 1.8 --points 300 --transient 1000 --keep 100"),
        new(OrbitZoom, "Orbit diagram, zoom near the accumulation point", false,
            Full: "uv orbit --r-min 1.28 --r-max 1.31 --points 1500 --transient 20000 --keep 200 --value-min 0.7 --value-max 3.7",
            Quick: "uv orbit --r-min 1.28 --r-max 1.31 --points 200 --transient 5000 --keep 100 --value-min 0.7 --value-max 3.7"),
        new(Lyapunov, "Lyapunov spectrum against r", false,
            Full: "uv lyapunov --r-min 0.8 --r-max 1.9 --points 800",
            Quick: "uv lyapunov --r-min 0.8 --r-max 1.9 --points 150"),
        new(LyapunovChaos, "Lyapunov exponents at r = 1.4 (beyond the accumulation point)", false,
            "uv lyapunov --r 1.4"),
        new(PhaseScaled, "Phase diagram, c = eta*lambda_0 against r, zero initial output", false,
            Full: "uv phase",
            Quick: "uv phase --c-points 30 --r-points 30 --steps 500"),
        new(PhaseWidth, "Phase diagram over width (NTP)", false,
            Full: "uv phase --mode physical --log-x --c-min 0.25 --c-max 8 --c-points 48 --y-values 1,2,4,8,16,32,64,128,256,1024 --seeds 5 --steps 1000",
            Quick: "uv phase --mode physical --log-x --c-min 0.25 --c-max 8 --c-points 12 --y-values 1,4,16,64,256 --seeds 2 --steps 300"),
        new(Field, "Vector field at r = 0.5 with trajectories", false,
            Full: "uv field --r 0.5 --trajectory 0.02,1.5 --trajectory 1.5,3.2 --trajectory -0.3,2.5",
            Quick: "uv field --r 0.5 --trajectory 0.02,1.5 --trajectory 1.5,3.2 --trajectory -0.3,2.5 --grid 15"),
        new(FieldEos, "Vector field at r = 1.1 (above the critical learning rate)", false,
            Full: "uv field --r 1.1 --trajectory 0.2,1.0 --trajectory-steps 60",
            Quick: "uv field --r 1.1 --trajectory 0.2,1.0 --trajectory-steps 60 --grid 15"),
        new(NetEos, "Real network under full-batch GD (Cohen et al. preset: FC tanh 784-200-200-10 on Fashion-MNIST, PyTorch's initialisation, MSE, until 99% accuracy), sharpness against 2/eta at eta = 2/30 and 2/40 (quick: 2/30 on 1,000 images)", true,
            Full: "net eos --data-dir $data --lrs 2/30,2/40 --test-size 0 --steps 2000 --sharpness-every 20",
            Quick: "net eos --data-dir $data --lrs 2/30 --train-size 1000 --measure-size 1000 --test-size 0 --steps 1000 --sharpness-every 20")
        { FullSeconds = 769, QuickSeconds = 217, FullShards = 2 },
        new(NetEarlyPhase, "Early-training phase diagram (Kalra & Barkeshli): c_loss, c_sharp, c_max against lambda_H(0) and the NTK, SP and zero readout", true,
            Full: "net early-phase --data-dir $data --variants sp,zero-readout --depths 2,4 --widths 64,256 --seeds 2 --x-step 0.2",
            Quick: "net early-phase --data-dir $data --variants sp,zero-readout --depths 2 --widths 256 --seeds 1 --x-step 0.2 --c-max 16")
        { FullSeconds = 64, QuickSeconds = 37 },
        new(NetPredict, "The UV model's predictions on real networks: early regime from the initial output (SP, NTP, muP, zero readout), late oscillation at large eta", true,
            Full: "net predict --data-dir $data --widths 64,256 --init-scales 1,0.25,4 --lr-factors 4,4.5,5,5.1,5.2",
            Quick: "net predict --data-dir $data --widths 64 --init-scales 1,4 --lr-factors 5")
        { FullSeconds = 463, QuickSeconds = 292 },
        new(NetFitUv, "The UV map fitted to a real network's sharpness (zero readout, eta = 0.1), with baselines", true,
            Full: "net fit-uv --preset eos --data-dir $data --zero-readout --lr 0.1 --test-size 0 --accuracy-goal 1 --sharpness-every 1 --train-size 1000 --measure-size 1000 --steps 400",
            Quick: "net fit-uv --preset eos --data-dir $data --zero-readout --lr 0.1 --test-size 0 --accuracy-goal 1 --sharpness-every 1 --train-size 100 --measure-size 100 --steps 20")
        { FullSeconds = 202, QuickSeconds = 13 },
    ];

    /// <summary>The experiment called <paramref name="name"/>.</summary>
    /// <param name="name">Run folder name.</param>
    public static ReproductionExperiment Named(string name) =>
        All.FirstOrDefault(e => e.Name == name) ?? throw new ArgumentException($"No experiment is called '{name}'.", nameof(name));
}
