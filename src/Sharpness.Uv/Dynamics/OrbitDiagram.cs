using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Sharpness.Uv.Dynamics;

/// <summary>Order in which a warm-started sweep visits the parameter values.</summary>
public enum SweepDirection
{
    /// <summary>In the order given (increasing for an increasing grid).</summary>
    Up,

    /// <summary>In reverse order.</summary>
    Down,

    /// <summary>Up, then down again from the last state: shows hysteresis.</summary>
    Both,
}

/// <summary>One parameter value of an orbit diagram: its scaled target and initial state.</summary>
/// <param name="R">Scaled target r = ηy/s.</param>
/// <param name="G0">Initial g = ηf₀/s (ignored for warm-started values after the first).</param>
/// <param name="X0">Initial x = ηλ₀ (ignored for warm-started values after the first).</param>
public readonly record struct OrbitPoint(double R, double G0, double X0);

/// <summary>
/// The kept iterates of one parameter value. <see cref="G"/>[k] and <see cref="X"/>[k] are the
/// state after <c>transient + k + 1</c> steps; entries after a divergence are NaN.
/// </summary>
/// <param name="Index">Index of the parameter value in the sweep's list.</param>
/// <param name="Pass">0 for the first (or only) pass, 1 for the downward pass of <see cref="SweepDirection.Both"/>.</param>
/// <param name="Point">The parameter value.</param>
/// <param name="G">Kept g values.</param>
/// <param name="X">Kept x = ηλ values.</param>
/// <param name="DivergedAtStep">Step at which |g| or x exceeded the threshold or became non-finite, or null.</param>
public sealed record OrbitSamples(int Index, int Pass, OrbitPoint Point, double[] G, double[] X, int? DivergedAtStep);

/// <summary>
/// Orbit (bifurcation) diagrams of the UV model's scaled map: for each parameter value, iterate
/// <c>transient</c> steps, then keep the next <c>keep</c> states. Independent parameter values are
/// iterated together in 512-bit SIMD lanes and in parallel over cores; warm-started sweeps run
/// sequentially, each value starting from the previous one's final state.
/// </summary>
/// <remarks>
/// The SIMD kernel performs the same floating-point operations in the same order as
/// <see cref="UvScaledMap.Step"/>, so every lane is bit-identical to the scalar map. Results are
/// streamed to the sink in parameter order; memory is bounded by the chunks in flight.
/// </remarks>
public static class OrbitDiagram
{
    private const int ChunkVectors = 8;

    /// <summary>Lanes per chunk: parameter values iterated together by one core.</summary>
    public static int ChunkSize => ChunkVectors * Vector512<double>.Count;

    /// <summary>Computes an orbit diagram with every parameter value started from its own initial state.</summary>
    /// <param name="points">Parameter values with their initial states.</param>
    /// <param name="transient">Steps discarded first (≥ 0).</param>
    /// <param name="keep">Steps kept after the transient (≥ 1).</param>
    /// <param name="sink">Receives the samples in the order of <paramref name="points"/>; called from one thread at a time.</param>
    /// <param name="weightDecayFactor">ρ = 1 − ηγ (default 1).</param>
    /// <param name="divergenceThreshold">|g| or x above this (or non-finite) marks a divergence (default 1e6).</param>
    /// <param name="maxDegreeOfParallelism">Cores used (default: all).</param>
    public static void ComputeIndependent(
        IReadOnlyList<OrbitPoint> points,
        int transient,
        int keep,
        Action<OrbitSamples> sink,
        double weightDecayFactor = 1,
        double divergenceThreshold = 1e6,
        int maxDegreeOfParallelism = -1)
    {
        Validate(points, transient, keep, sink);
        int chunk = ChunkSize;
        int chunks = (points.Count + chunk - 1) / chunk;
        int parallel = maxDegreeOfParallelism > 0 ? maxDegreeOfParallelism : Environment.ProcessorCount;
        int batch = Math.Max(1, parallel * 2);
        for (int first = 0; first < chunks; first += batch)
        {
            int count = Math.Min(batch, chunks - first);
            var results = new OrbitSamples[count][];
            Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = parallel }, c =>
            {
                int start = (first + c) * chunk;
                int length = Math.Min(chunk, points.Count - start);
                results[c] = IterateChunk(points, start, length, transient, keep, weightDecayFactor, divergenceThreshold);
            });
            foreach (var samples in results)
            {
                foreach (var sample in samples)
                {
                    sink(sample);
                }
            }
        }
    }

    /// <summary>
    /// Computes a warm-started orbit diagram: the first visited value starts from its own initial
    /// state, every later one from the final state of the value visited before it.
    /// </summary>
    /// <param name="points">Parameter values (the initial state of the first visited one is used).</param>
    /// <param name="transient">Steps discarded at each value.</param>
    /// <param name="keep">Steps kept at each value.</param>
    /// <param name="direction">Visiting order.</param>
    /// <param name="sink">Receives the samples in visiting order.</param>
    /// <param name="weightDecayFactor">ρ = 1 − ηγ (default 1).</param>
    /// <param name="divergenceThreshold">Divergence threshold (default 1e6). After a divergence the next value restarts from its own initial state.</param>
    public static void ComputeWarmStarted(
        IReadOnlyList<OrbitPoint> points,
        int transient,
        int keep,
        SweepDirection direction,
        Action<OrbitSamples> sink,
        double weightDecayFactor = 1,
        double divergenceThreshold = 1e6)
    {
        Validate(points, transient, keep, sink);
        var order = new List<(int Index, int Pass)>();
        if (direction is SweepDirection.Up or SweepDirection.Both)
        {
            order.AddRange(Enumerable.Range(0, points.Count).Select(i => (i, 0)));
        }

        if (direction == SweepDirection.Down)
        {
            order.AddRange(Enumerable.Range(0, points.Count).Reverse().Select(i => (i, 0)));
        }

        if (direction == SweepDirection.Both)
        {
            order.AddRange(Enumerable.Range(0, points.Count).Reverse().Select(i => (i, 1)));
        }

        UvScaledState? carried = null;
        foreach (var (index, pass) in order)
        {
            var point = points[index];
            var state = carried ?? new UvScaledState(point.G0, point.X0);
            var g = new double[keep];
            var x = new double[keep];
            int? diverged = null;
            for (int t = 0; t < transient + keep; t++)
            {
                state = UvScaledMap.Step(state, point.R, weightDecayFactor);
                if (!(Math.Abs(state.G) <= divergenceThreshold && Math.Abs(state.X) <= divergenceThreshold))
                {
                    diverged = t + 1;
                    break;
                }

                if (t >= transient)
                {
                    g[t - transient] = state.G;
                    x[t - transient] = state.X;
                }
            }

            if (diverged is int at)
            {
                for (int k = Math.Max(0, at - 1 - transient); k < keep; k++)
                {
                    g[k] = double.NaN;
                    x[k] = double.NaN;
                }
            }

            carried = diverged is null ? state : null;
            sink(new OrbitSamples(index, pass, point, g, x, diverged));
        }
    }

    /// <summary>Scaled Hessian sharpness ηλ_H of a kept state (width n ≥ 2).</summary>
    /// <param name="g">g.</param>
    /// <param name="x">x.</param>
    /// <param name="r">r.</param>
    public static double LrSharpness(double g, double x, double r) => UvSharpness.ScaledHessian(new UvScaledState(g, x), r, 2);

    private static void Validate(IReadOnlyList<OrbitPoint> points, int transient, int keep, Action<OrbitSamples> sink)
    {
        ArgumentNullException.ThrowIfNull(points);
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentOutOfRangeException.ThrowIfNegative(transient);
        ArgumentOutOfRangeException.ThrowIfLessThan(keep, 1);
    }

    private static OrbitSamples[] IterateChunk(IReadOnlyList<OrbitPoint> points, int start, int length, int transient, int keep, double rho, double threshold)
    {
        int lanes = ChunkSize;
        var r = new double[lanes];
        var g = new double[lanes];
        var x = new double[lanes];
        var divergedAt = new int[lanes];
        for (int i = 0; i < lanes; i++)
        {
            // Padding lanes repeat the last value; their results are dropped.
            var point = points[start + Math.Min(i, length - 1)];
            (r[i], g[i], x[i]) = (point.R, point.G0, point.X0);
        }

        var keptG = new double[length][];
        var keptX = new double[length][];
        for (int i = 0; i < length; i++)
        {
            keptG[i] = new double[keep];
            keptX[i] = new double[keep];
        }

        Advance(g, x, r, rho, transient, 0, threshold, divergedAt);
        for (int k = 0; k < keep; k++)
        {
            Advance(g, x, r, rho, 1, transient + k, threshold, divergedAt);
            for (int i = 0; i < length; i++)
            {
                keptG[i][k] = g[i];
                keptX[i][k] = x[i];
            }
        }

        var samples = new OrbitSamples[length];
        for (int i = 0; i < length; i++)
        {
            samples[i] = new OrbitSamples(start + i, 0, points[start + i], keptG[i], keptX[i], divergedAt[i] > 0 ? divergedAt[i] : null);
        }

        return samples;
    }

    // Iterates every lane `steps` times. Diverged lanes are set to NaN and stay NaN; the step at
    // which a lane first diverged is recorded (1-based, counting from `offset`).
    private static void Advance(double[] g, double[] x, double[] r, double rho, int steps, int offset, double threshold, int[] divergedAt)
    {
        const int blockSteps = 256;
        var blockStartG = new double[g.Length];
        var blockStartX = new double[x.Length];
        int done = 0;
        while (done < steps)
        {
            int block = Math.Min(blockSteps, steps - done);
            g.CopyTo(blockStartG, 0);
            x.CopyTo(blockStartX, 0);
            if (rho == 1)
            {
                IterateNoDecay(g, x, r, block);
            }
            else
            {
                IterateWithDecay(g, x, r, rho, block);
            }

            for (int i = 0; i < g.Length; i++)
            {
                if (divergedAt[i] == 0 && !(Math.Abs(g[i]) <= threshold && Math.Abs(x[i]) <= threshold))
                {
                    divergedAt[i] = offset + done + FirstEscape(blockStartG[i], blockStartX[i], r[i], rho, block, threshold);
                    g[i] = double.NaN;
                    x[i] = double.NaN;
                }
            }

            done += block;
        }
    }

    // Replays one lane with the scalar map (bit-identical to the SIMD kernel) to find the exact step of escape.
    private static int FirstEscape(double g, double x, double r, double rho, int steps, double threshold)
    {
        var state = new UvScaledState(g, x);
        for (int t = 1; t <= steps; t++)
        {
            state = UvScaledMap.Step(state, r, rho);
            if (!(Math.Abs(state.G) <= threshold && Math.Abs(state.X) <= threshold))
            {
                return t;
            }
        }

        return steps;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void IterateNoDecay(double[] g, double[] x, double[] r, int steps)
    {
        ref double g0 = ref g[0];
        ref double x0 = ref x[0];
        ref double r0 = ref r[0];
        int n = Vector512<double>.Count;
        var four = Vector512.Create(4.0);
        for (int v = 0; v < ChunkVectors; v += 4)
        {
            nuint o0 = (nuint)(v * n), o1 = (nuint)((v + 1) * n), o2 = (nuint)((v + 2) * n), o3 = (nuint)((v + 3) * n);
            var ga = Vector512.LoadUnsafe(ref g0, o0);
            var gb = Vector512.LoadUnsafe(ref g0, o1);
            var gc = Vector512.LoadUnsafe(ref g0, o2);
            var gd = Vector512.LoadUnsafe(ref g0, o3);
            var xa = Vector512.LoadUnsafe(ref x0, o0);
            var xb = Vector512.LoadUnsafe(ref x0, o1);
            var xc = Vector512.LoadUnsafe(ref x0, o2);
            var xd = Vector512.LoadUnsafe(ref x0, o3);
            var ra = Vector512.LoadUnsafe(ref r0, o0);
            var rb = Vector512.LoadUnsafe(ref r0, o1);
            var rc = Vector512.LoadUnsafe(ref r0, o2);
            var rd = Vector512.LoadUnsafe(ref r0, o3);
            for (int t = 0; t < steps; t++)
            {
                (ga, xa) = StepNoDecay(ga, xa, ra, four);
                (gb, xb) = StepNoDecay(gb, xb, rb, four);
                (gc, xc) = StepNoDecay(gc, xc, rc, four);
                (gd, xd) = StepNoDecay(gd, xd, rd, four);
            }

            ga.StoreUnsafe(ref g0, o0);
            gb.StoreUnsafe(ref g0, o1);
            gc.StoreUnsafe(ref g0, o2);
            gd.StoreUnsafe(ref g0, o3);
            xa.StoreUnsafe(ref x0, o0);
            xb.StoreUnsafe(ref x0, o1);
            xc.StoreUnsafe(ref x0, o2);
            xd.StoreUnsafe(ref x0, o3);
        }
    }

    // Same operations, same order as UvScaledMap.Step with ρ = 1 (multiplications by 1 are exact).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector512<double> G, Vector512<double> X) StepNoDecay(Vector512<double> g, Vector512<double> x, Vector512<double> r, Vector512<double> four)
    {
        var dg = g - r;
        var dg2 = dg * dg;
        var gNext = (g - (x * dg)) + (dg2 * g);
        var xNext = (x - (four * g * dg)) + (dg2 * x);
        return (gNext, xNext);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void IterateWithDecay(double[] g, double[] x, double[] r, double rho, int steps)
    {
        int n = Vector512<double>.Count;
        var rhoV = Vector512.Create(rho);
        var four = Vector512.Create(4.0);
        for (int v = 0; v < ChunkVectors; v++)
        {
            var gv = Vector512.Create(g.AsSpan(v * n, n));
            var xv = Vector512.Create(x.AsSpan(v * n, n));
            var rv = Vector512.Create(r.AsSpan(v * n, n));
            for (int t = 0; t < steps; t++)
            {
                var dg = gv - rv;
                var dg2 = dg * dg;
                var gNext = ((rhoV * rhoV * gv) - (rhoV * xv * dg)) + (dg2 * gv);
                var xNext = ((rhoV * rhoV * xv) - (four * rhoV * gv * dg)) + (dg2 * xv);
                (gv, xv) = (gNext, xNext);
            }

            gv.CopyTo(g.AsSpan(v * n, n));
            xv.CopyTo(x.AsSpan(v * n, n));
        }
    }
}
