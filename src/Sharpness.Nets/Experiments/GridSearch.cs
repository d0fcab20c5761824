namespace Sharpness.Nets.Experiments;

/// <summary>
/// Critical indices on a grid of increasing parameter values: the first index where a property holds
/// (c_loss, c_sharp) and the last where it does not (c_max), by scan or bisection
/// (<see cref="GridSearchMode"/>). Pure: the caller's predicate does the work (and may cache it).
/// </summary>
public static class GridSearch
{
    /// <summary>
    /// The smallest index i in [0, <paramref name="count"/>) with <paramref name="predicate"/>(i) true, or
    /// <paramref name="count"/> when none is found.
    /// </summary>
    /// <remarks>
    /// <see cref="GridSearchMode.Scan"/> evaluates 0, 1, 2, … and stops at the first true: exact for any
    /// predicate. <see cref="GridSearchMode.Bisect"/> assumes the predicate is false below some index and
    /// true from it on; it evaluates the result i and i − 1 (when they exist) and about log2(count + 1)
    /// indices in all.
    /// </remarks>
    /// <param name="count">Grid size, ≥ 1.</param>
    /// <param name="predicate">The property at a grid index.</param>
    /// <param name="mode">Scan or bisect.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> &lt; 1 or an undefined mode.</exception>
    public static int FirstTrue(int count, Func<int, bool> predicate, GridSearchMode mode)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        switch (mode)
        {
            case GridSearchMode.Scan:
                for (int i = 0; i < count; i++)
                {
                    if (predicate(i))
                    {
                        return i;
                    }
                }

                return count;
            case GridSearchMode.Bisect:
                // Invariant: the property is false at lo (or lo = −1) and true at hi (or hi = count).
                int lo = -1, hi = count;
                while (hi - lo > 1)
                {
                    int mid = lo + ((hi - lo) / 2);
                    if (predicate(mid))
                    {
                        hi = mid;
                    }
                    else
                    {
                        lo = mid;
                    }
                }

                return hi;
            default:
                throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown search mode.");
        }
    }

    /// <summary>
    /// The largest index i in [0, <paramref name="count"/>) with <paramref name="predicate"/>(i) false, or −1
    /// when it is true everywhere.
    /// </summary>
    /// <remarks>
    /// <see cref="GridSearchMode.Scan"/> evaluates count − 1, count − 2, … and stops at the first false: exact
    /// for any predicate. <see cref="GridSearchMode.Bisect"/> is <see cref="FirstTrue"/> − 1 under the same
    /// monotonicity assumption.
    /// </remarks>
    /// <param name="count">Grid size, ≥ 1.</param>
    /// <param name="predicate">The property at a grid index.</param>
    /// <param name="mode">Scan or bisect.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> &lt; 1 or an undefined mode.</exception>
    public static int LastFalse(int count, Func<int, bool> predicate, GridSearchMode mode)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        switch (mode)
        {
            case GridSearchMode.Scan:
                for (int i = count - 1; i >= 0; i--)
                {
                    if (!predicate(i))
                    {
                        return i;
                    }
                }

                return -1;
            case GridSearchMode.Bisect:
                return FirstTrue(count, predicate, mode) - 1;
            default:
                throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown search mode.");
        }
    }

    /// <summary>
    /// The evaluated indices that contradict a monotone property switching on at <paramref name="boundary"/>:
    /// those below it where the property held and those at or above it where it did not. Empty when every
    /// evaluation agrees with monotonicity.
    /// </summary>
    /// <param name="evaluated">Grid index → property value, for every index evaluated.</param>
    /// <param name="boundary">The first index where the property holds (the grid size when nowhere).</param>
    public static IReadOnlyList<int> MonotonicityViolations(IReadOnlyDictionary<int, bool> evaluated, int boundary)
    {
        ArgumentNullException.ThrowIfNull(evaluated);
        return evaluated.Where(e => e.Value != (e.Key >= boundary)).Select(e => e.Key).Order().ToArray();
    }
}
