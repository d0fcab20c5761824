using Sharpness.Nets.Experiments;

namespace Sharpness.Nets.Tests.Experiments;

public sealed class EarlyPhaseSummaryTests
{
    // x = 0, 0.5, ..., 4: c = 1, 1.41, 2, 2.83, 4, 5.66, 8, 11.3, 16 (indices 0..8).
    private static readonly LearningRateConstantGrid Grid = LearningRateConstantGrid.Create(1, 16, 0.5);

    private static CriticalConstant First(int index) => CriticalConstant.FromFirstTrue(Grid, index);

    private static CriticalConstant Last(int index) => CriticalConstant.FromLastFalse(Grid, index);

    [Fact]
    public void ConstantsOutsideTheGridAreBounds()
    {
        Assert.Equal(CriticalBound.Exact, First(2).Bound);
        Assert.Equal(2.0, First(2).Value, 12);
        Assert.Equal("<=", First(0).Relation);
        Assert.Equal(">=", First(9).Relation);
        Assert.Equal(16.0, First(9).Value, 12);
        Assert.Equal("<=", Last(-1).Relation);
        Assert.Equal(1.0, Last(-1).Value);
        Assert.Equal(">=", Last(8).Relation);
        Assert.Equal("=", Last(7).Relation);
        Assert.Equal(">=16", First(9).ToString());
    }

    [Theory]
    [InlineData(2, 3, 5, OrderingStatus.Holds)]
    [InlineData(2, 2, 2, OrderingStatus.Holds)]      // equal constants satisfy ≤
    [InlineData(4, 2, 5, OrderingStatus.Fails)]      // c_loss two steps above c_sharp
    [InlineData(3, 2, 5, OrderingStatus.HoldsWithinGridStep)] // c_loss one step above c_sharp
    [InlineData(2, 6, 5, OrderingStatus.HoldsWithinGridStep)] // c_sharp is the first diverging c
    [InlineData(2, 7, 5, OrderingStatus.Fails)]      // c_sharp two steps above the last stable c
    [InlineData(0, 3, 5, OrderingStatus.Holds)]      // c_loss ≤ c_min still ≤ c_sharp
    [InlineData(0, 0, 5, OrderingStatus.Undetermined)] // both at or below the grid
    [InlineData(2, 9, 8, OrderingStatus.Undetermined)] // c_sharp above the grid, c_max at or above it
    [InlineData(2, 3, -1, OrderingStatus.Fails)]     // everything diverges, yet the loss first rose at index 2
    [InlineData(5, 0, 8, OrderingStatus.Fails)]      // the sharpness rises already at c_min, the loss only at index 5
    public void TheOrderingIsDecidedOnGridIndices(int loss, int sharpness, int max, OrderingStatus expected) =>
        Assert.Equal(expected, CriticalOrdering.Check(First(loss), First(sharpness), Last(max)));

    [Fact]
    public void TheOrderingTextNamesTheCounts()
    {
        Assert.Equal("holds (3/3)", EarlyPhaseSummary.OrderingText((3, 0, 0, 0), 3));
        Assert.Equal("holds 1/3, within one grid step 2/3", EarlyPhaseSummary.OrderingText((1, 2, 0, 0), 3));
        Assert.Equal("fails 2/2", EarlyPhaseSummary.OrderingText((0, 0, 2, 0), 2));
    }

    [Fact]
    public void WithoutCSharpTheOrderingCanOnlyFail()
    {
        Assert.Equal(OrderingStatus.Undetermined, CriticalOrdering.Check(First(2), null, Last(5)));
        Assert.Equal(OrderingStatus.Fails, CriticalOrdering.Check(First(6), null, Last(5)));
    }

    [Fact]
    public void GroupsAverageOverSeedsAgainstBothEigenvalues()
    {
        var rows = new[]
        {
            // λ_NTK/λ_H = 0.5 and 0.8.
            new EarlyPhaseRow(4, 64, "sp", 0, 10, 5, First(2), First(3), Last(5)) { FirstStepConstant = 4.4 },
            new EarlyPhaseRow(4, 64, "sp", 1, 20, 16, First(4), First(4), Last(7)) { FirstStepConstant = 3 },
            new EarlyPhaseRow(2, 256, "sp", 0, 8, 8, First(2), First(2), Last(8)),
            new EarlyPhaseRow(4, 64, "zero-readout", 0, 4, 2, First(0), First(5), Last(6)),
        };

        var groups = EarlyPhaseSummary.Summarise(rows);

        Assert.Equal(3, groups.Count);
        // sp first (order of appearance), then by depth/width: 2/256 before 4/64.
        Assert.Equal((2, 256, "sp"), (groups[0].Depth, groups[0].Width, groups[0].Variant));
        var g = groups[1];
        Assert.Equal(2, g.Seeds);
        // c_loss = 2 and 4 against λ_H; against the NTK 2·0.5 = 1 and 4·0.8 = 3.2.
        Assert.Equal(3.0, g.AgainstHessian.Loss.Mean, 12);
        Assert.Equal(2.0, g.AgainstHessian.Loss.Min, 12);
        Assert.Equal(4.0, g.AgainstHessian.Loss.Max, 12);
        Assert.Equal(2.1, g.AgainstNtk.Loss.Mean, 12);
        Assert.Equal(1.0, g.AgainstNtk.Loss.Min, 12);
        Assert.Equal(Math.Pow(2, 3.5) * 0.8, g.AgainstNtk.Max.Max, 12);
        Assert.Equal(0.65, g.NtkRatio.Mean, 12);
        Assert.Equal((2, 0, 0, 0), g.Ordering);
        // c₁ against the NTK: 4.4·0.5 = 2.2 and 3·0.8 = 2.4.
        Assert.Equal(2.3, g.FirstStepNtk.Mean, 12);
        Assert.True(double.IsNaN(groups[0].FirstStepNtk.Mean));
        Assert.Equal("<=", groups[2].AgainstHessian.Loss.Relation);
        Assert.Equal(">=", groups[0].AgainstHessian.Max.Relation);

        string table = EarlyPhaseSummary.ToMarkdown(groups);
        string[] lines = table.TrimEnd().Split('\n');
        Assert.Equal(2 + 3, lines.Length);
        Assert.Contains("| sp | 4 | 64 | 0.0625 | 2 | 15 [10, 20] | 0.65 [0.5, 0.8] | 3 [2, 4] |", table);
        Assert.Contains("| 2.3 [2.2, 2.4] | holds (2/2) |", table);
        Assert.Contains("holds (2/2)", lines[3]);
        Assert.Contains("| zero-readout | 4 | 64 |", lines[4]);
        Assert.Contains("| <=1 |", lines[4]);
    }
}
