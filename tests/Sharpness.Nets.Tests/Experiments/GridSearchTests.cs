using Sharpness.Nets.Experiments;

namespace Sharpness.Nets.Tests.Experiments;

public sealed class GridSearchTests
{
    [Fact]
    public void BisectionFindsEveryBoundaryOfAMonotonePropertyWithLogarithmicCost()
    {
        for (int count = 1; count <= 40; count++)
        {
            for (int boundary = 0; boundary <= count; boundary++)
            {
                var evaluated = new Dictionary<int, bool>();
                bool Property(int i) => evaluated[i] = i >= boundary;

                int found = GridSearch.FirstTrue(count, Property, GridSearchMode.Bisect);

                Assert.Equal(boundary, found);
                Assert.True(evaluated.Count <= (int)Math.Ceiling(Math.Log2(count + 1)), $"count {count}: {evaluated.Count} evaluations");
                // The boundary is measured on both sides, not inferred.
                if (boundary < count)
                {
                    Assert.True(evaluated[boundary]);
                }

                if (boundary > 0)
                {
                    Assert.False(evaluated[boundary - 1]);
                }

                Assert.Empty(GridSearch.MonotonicityViolations(evaluated, found));
                Assert.Equal(boundary - 1, GridSearch.LastFalse(count, i => i >= boundary, GridSearchMode.Bisect));
                Assert.Equal(boundary, GridSearch.FirstTrue(count, i => i >= boundary, GridSearchMode.Scan));
                Assert.Equal(boundary - 1, GridSearch.LastFalse(count, i => i >= boundary, GridSearchMode.Scan));
            }
        }
    }

    [Fact]
    public void ScanAppliesTheDefinitionsToANonMonotoneProperty()
    {
        // True at 3 and from 7 on: the smallest true index is 3, the largest false index is 6.
        bool Property(int i) => i == 3 || i >= 7;
        var scanned = new List<int>();

        Assert.Equal(3, GridSearch.FirstTrue(10, i => { scanned.Add(i); return Property(i); }, GridSearchMode.Scan));
        Assert.Equal([0, 1, 2, 3], scanned);
        Assert.Equal(6, GridSearch.LastFalse(10, Property, GridSearchMode.Scan));
        Assert.Equal(-1, GridSearch.LastFalse(4, _ => true, GridSearchMode.Scan));
        Assert.Equal(4, GridSearch.FirstTrue(4, _ => false, GridSearchMode.Scan));
    }

    [Fact]
    public void ViolationsListTheEvaluationsThatContradictMonotonicity()
    {
        var evaluated = new Dictionary<int, bool> { [0] = false, [2] = true, [5] = true, [6] = false, [9] = true };

        Assert.Equal([2, 6], GridSearch.MonotonicityViolations(evaluated, boundary: 5));
        Assert.Empty(GridSearch.MonotonicityViolations(new Dictionary<int, bool> { [1] = false, [4] = true }, boundary: 3));
    }

    [Fact]
    public void InvalidArgumentsAreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => GridSearch.FirstTrue(0, _ => true, GridSearchMode.Bisect));
        Assert.Throws<ArgumentOutOfRangeException>(() => GridSearch.LastFalse(3, _ => true, (GridSearchMode)7));
    }
}
