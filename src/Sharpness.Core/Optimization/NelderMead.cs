namespace Sharpness.Core.Optimization;

/// <summary>
/// Derivative-free minimisation of a function of a few variables by the Nelder–Mead simplex method
/// (reflection 1, expansion 2, contraction ½, shrink ½), restarted from a fresh simplex around the
/// best point until a restart no longer improves it (a simplex that collapsed early, away from a
/// minimum, is rebuilt instead of being trusted).
/// </summary>
/// <remarks>
/// A function value that is not finite counts as +∞ (worse than any finite value), so an objective
/// may return NaN or ∞ for parameters it rejects. The method finds a local minimum; for a global one
/// run it from several starts and keep the best.
/// </remarks>
public static class NelderMead
{
    /// <summary>Minimises <paramref name="function"/> from <paramref name="start"/>.</summary>
    /// <param name="function">The objective; called with an array it must not keep or modify.</param>
    /// <param name="start">Starting point, length n ≥ 1, finite.</param>
    /// <param name="steps">Initial simplex: vertex i is <paramref name="start"/> with coordinate i moved by steps[i] (non-zero, finite); the same steps rebuild the simplex on a restart, scaled down by 10 each time.</param>
    /// <param name="tolerance">Convergence when the spread of the simplex's values is at most tolerance·(|f_best| + tolerance) and every vertex lies within √tolerance·(1 + max|x_best|) of the best one in each coordinate (default 1e-10: near a quadratic minimum the point is then known to about √tolerance).</param>
    /// <param name="maxEvaluations">Budget of function evaluations over all restarts, ≥ n + 1 (default 20,000); the iteration that reaches it may use up to n + 1 more.</param>
    /// <param name="maxRestarts">Restarts after the first convergence (default 3).</param>
    /// <returns>The best point found, its value, the evaluations used and whether the tolerance was met.</returns>
    /// <exception cref="ArgumentException">Lengths differ, a value is not finite or a step is zero.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The tolerance or a budget is out of range.</exception>
    public static NelderMeadResult Minimize(
        Func<double[], double> function,
        IReadOnlyList<double> start,
        IReadOnlyList<double> steps,
        double tolerance = 1e-10,
        int maxEvaluations = 20_000,
        int maxRestarts = 3)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(steps);
        int n = start.Count;
        if (n == 0 || steps.Count != n)
        {
            throw new ArgumentException($"The start needs at least one coordinate and one step per coordinate (got {n} and {steps.Count}).", nameof(steps));
        }

        if (start.Any(x => !double.IsFinite(x)))
        {
            throw new ArgumentException("The start must be finite.", nameof(start));
        }

        if (steps.Any(s => s == 0 || !double.IsFinite(s)))
        {
            throw new ArgumentException("Every step must be non-zero and finite.", nameof(steps));
        }

        if (!(tolerance > 0) || !double.IsFinite(tolerance))
        {
            throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, "The tolerance must be positive and finite.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(maxEvaluations, n + 1);
        ArgumentOutOfRangeException.ThrowIfNegative(maxRestarts);

        int evaluations = 0;
        double Evaluate(double[] x)
        {
            evaluations++;
            double value = function(x);
            return double.IsFinite(value) ? value : double.PositiveInfinity;
        }

        double[] best = start.ToArray();
        double bestValue = Evaluate(best);
        bool converged = false;
        double scale = 1;
        for (int attempt = 0; attempt <= maxRestarts && evaluations < maxEvaluations; attempt++)
        {
            var (point, value, met) = Run(Evaluate, best, bestValue, steps, scale, tolerance, maxEvaluations, () => evaluations);
            bool improved = value < bestValue - (tolerance * (Math.Abs(bestValue) + tolerance));
            if (value <= bestValue)
            {
                best = point;
                bestValue = value;
            }

            converged = met;
            if (!met || (attempt > 0 && !improved))
            {
                break;
            }

            scale /= 10;
        }

        return new NelderMeadResult(best, bestValue, evaluations, converged);
    }

    private static (double[] Point, double Value, bool Converged) Run(
        Func<double[], double> evaluate, double[] start, double startValue, IReadOnlyList<double> steps, double scale,
        double tolerance, int maxEvaluations, Func<int> used)
    {
        int n = start.Length;
        var vertices = new double[n + 1][];
        var values = new double[n + 1];
        vertices[0] = (double[])start.Clone();
        values[0] = startValue;
        for (int i = 0; i < n; i++)
        {
            var vertex = (double[])start.Clone();
            vertex[i] += steps[i] * scale;
            vertices[i + 1] = vertex;
            values[i + 1] = evaluate(vertex);
        }

        var centroid = new double[n];
        var trial = new double[n];
        while (true)
        {
            Sort(vertices, values);
            if (Converged(vertices, values, tolerance))
            {
                return (vertices[0], values[0], true);
            }

            if (used() >= maxEvaluations)
            {
                return (vertices[0], values[0], false);
            }

            Array.Clear(centroid);
            for (int v = 0; v < n; v++)
            {
                for (int i = 0; i < n; i++)
                {
                    centroid[i] += vertices[v][i] / n;
                }
            }

            double[] worst = vertices[n];
            double[] reflected = Along(centroid, worst, -1, trial);
            double reflectedValue = evaluate(reflected);
            if (reflectedValue < values[0])
            {
                double[] expanded = Along(centroid, worst, -2, new double[n]);
                double expandedValue = evaluate(expanded);
                if (expandedValue < reflectedValue)
                {
                    Replace(vertices, values, n, expanded, expandedValue);
                }
                else
                {
                    Replace(vertices, values, n, (double[])reflected.Clone(), reflectedValue);
                }

                continue;
            }

            if (reflectedValue < values[n - 1])
            {
                Replace(vertices, values, n, (double[])reflected.Clone(), reflectedValue);
                continue;
            }

            // Contract towards the better of the worst vertex and its reflection.
            bool outside = reflectedValue < values[n];
            double[] contracted = Along(centroid, worst, outside ? -0.5 : 0.5, new double[n]);
            double contractedValue = evaluate(contracted);
            if (contractedValue < Math.Min(reflectedValue, values[n]))
            {
                Replace(vertices, values, n, contracted, contractedValue);
                continue;
            }

            for (int v = 1; v <= n; v++)
            {
                for (int i = 0; i < n; i++)
                {
                    vertices[v][i] = vertices[0][i] + (0.5 * (vertices[v][i] - vertices[0][i]));
                }

                values[v] = evaluate(vertices[v]);
            }
        }
    }

    /// <summary>centroid + t (point − centroid): t = −1 reflects, −2 expands, ±½ contracts.</summary>
    private static double[] Along(double[] centroid, double[] point, double t, double[] destination)
    {
        for (int i = 0; i < centroid.Length; i++)
        {
            destination[i] = centroid[i] + (t * (point[i] - centroid[i]));
        }

        return destination;
    }

    private static void Replace(double[][] vertices, double[] values, int index, double[] vertex, double value)
    {
        vertices[index] = vertex;
        values[index] = value;
    }

    private static void Sort(double[][] vertices, double[] values)
    {
        // Insertion sort: n + 1 is small, and it keeps equal values in their order.
        for (int i = 1; i < values.Length; i++)
        {
            double value = values[i];
            double[] vertex = vertices[i];
            int j = i - 1;
            while (j >= 0 && values[j] > value)
            {
                values[j + 1] = values[j];
                vertices[j + 1] = vertices[j];
                j--;
            }

            values[j + 1] = value;
            vertices[j + 1] = vertex;
        }
    }

    private static bool Converged(double[][] vertices, double[] values, double tolerance)
    {
        double best = values[0];
        double worst = values[^1];
        if (!double.IsFinite(worst) || worst - best > tolerance * (Math.Abs(best) + tolerance))
        {
            return false;
        }

        double size = Math.Sqrt(tolerance) * (1 + vertices[0].Max(Math.Abs));
        for (int v = 1; v < vertices.Length; v++)
        {
            for (int i = 0; i < vertices[0].Length; i++)
            {
                if (Math.Abs(vertices[v][i] - vertices[0][i]) > size)
                {
                    return false;
                }
            }
        }

        return true;
    }
}

/// <summary>The outcome of <see cref="NelderMead.Minimize"/>.</summary>
/// <param name="Point">The best point found.</param>
/// <param name="Value">The objective there (+∞ if no finite value was ever seen).</param>
/// <param name="Evaluations">Function evaluations used.</param>
/// <param name="Converged">Whether the last simplex met the tolerance (false: the budget ran out).</param>
public sealed record NelderMeadResult(IReadOnlyList<double> Point, double Value, int Evaluations, bool Converged);
