using Sharpness.Core.Eigen;

namespace Sharpness.Core.Tests.Eigen;

public class StopCriteriaTests
{
    private static EigenIterationState State(double[] values, double[] residuals, int matvecs = 10, double change = double.PositiveInfinity) =>
        new(1, matvecs, values, residuals, change);

    [Fact]
    public void MaxMatvecsStopsAtTheBudget()
    {
        IEigenStopCriterion criterion = StopCriteria.MaxMatvecs(5);

        Assert.Equal(StopReason.None, criterion.Check(State([1], [1], matvecs: 4)));
        Assert.Equal(StopReason.MaxMatvecs, criterion.Check(State([1], [1], matvecs: 5)));
        Assert.Equal(StopReason.MaxMatvecs, criterion.Check(State([], [], matvecs: 6)));
    }

    [Fact]
    public void ResidualIsRelativeToTheLargestWantedMagnitude()
    {
        IEigenStopCriterion criterion = StopCriteria.Residual(1e-8);

        Assert.Equal(StopReason.Converged, criterion.Check(State([2, -1], [1e-9, 1.9e-8])));
        Assert.Equal(StopReason.None, criterion.Check(State([2, -1], [1e-9, 2.1e-8])));
        Assert.Equal(StopReason.Converged, criterion.Check(State([0, 0], [0, 0])));
    }

    [Fact]
    public void ResidualNeverConvergesOnMissingUnconfirmedOrNaNResiduals()
    {
        IEigenStopCriterion criterion = StopCriteria.Residual(0.5);

        Assert.Equal(StopReason.None, criterion.Check(State([], [])));
        Assert.Equal(StopReason.None, criterion.Check(State([1e308], [double.MaxValue])));
        Assert.Equal(StopReason.None, criterion.Check(State([1], [double.NaN])));
    }

    [Fact]
    public void ResidualAbsoluteFloorHelpsNearZeroSpectra()
    {
        var state = State([1e-12, -3e-12], [1e-10, 1e-10]);

        Assert.Equal(StopReason.None, StopCriteria.Residual(1e-8).Check(state));
        Assert.Equal(StopReason.Converged, StopCriteria.Residual(1e-8, absoluteFloor: 1.0).Check(state));
    }

    [Fact]
    public void RelativeChangeComparesWithTheTolerance()
    {
        IEigenStopCriterion criterion = StopCriteria.RelativeChange(1e-10);

        Assert.Equal(StopReason.Converged, criterion.Check(State([1], [1], change: 1e-11)));
        Assert.Equal(StopReason.None, criterion.Check(State([1], [1], change: 1e-9)));
        Assert.Equal(StopReason.None, criterion.Check(State([1], [1], change: double.PositiveInfinity)));
        Assert.Equal(StopReason.None, criterion.Check(State([], [], change: 0)));
    }

    [Fact]
    public void DivergenceFlagsNaNAndInfinityButNotTheUnconfirmedMarker()
    {
        IEigenStopCriterion criterion = StopCriteria.Divergence();

        Assert.Equal(StopReason.Diverged, criterion.Check(State([double.NaN], [1])));
        Assert.Equal(StopReason.Diverged, criterion.Check(State([1], [double.PositiveInfinity])));
        Assert.Equal(StopReason.Diverged, criterion.Check(State([double.NegativeInfinity], [0])));
        Assert.Equal(StopReason.None, criterion.Check(State([1], [double.MaxValue])));
    }

    [Fact]
    public void CancellationFollowsTheToken()
    {
        using var source = new CancellationTokenSource();
        IEigenStopCriterion criterion = StopCriteria.Cancellation(source.Token);

        Assert.Equal(StopReason.None, criterion.Check(State([1], [1])));
        source.Cancel();
        Assert.Equal(StopReason.Cancelled, criterion.Check(State([1], [1])));
    }

    [Fact]
    public void AnyReturnsTheFirstVerdictInOrder()
    {
        var state = State([1], [0], matvecs: 3);

        Assert.Equal(StopReason.MaxMatvecs, StopCriteria.Any(StopCriteria.MaxMatvecs(3), StopCriteria.Residual()).Check(state));
        Assert.Equal(StopReason.Converged, StopCriteria.Any(StopCriteria.Residual(), StopCriteria.MaxMatvecs(3)).Check(state));
        Assert.Equal(StopReason.None, StopCriteria.Any(StopCriteria.MaxMatvecs(4), StopCriteria.RelativeChange()).Check(state));
    }

    [Fact]
    public void AllConvergesOnlyWhenEveryCriterionConverges()
    {
        IEigenStopCriterion both = StopCriteria.All(StopCriteria.Residual(1e-8), StopCriteria.RelativeChange(1e-10));

        Assert.Equal(StopReason.Converged, both.Check(State([1], [1e-9], change: 1e-12)));
        Assert.Equal(StopReason.None, both.Check(State([1], [1e-9], change: 1e-6)));
        Assert.Equal(StopReason.None, both.Check(State([1], [1e-6], change: 1e-12)));
    }

    [Fact]
    public void AllStopsAtOnceOnAnyOtherVerdict()
    {
        IEigenStopCriterion criterion = StopCriteria.All(StopCriteria.Residual(), StopCriteria.MaxMatvecs(10), StopCriteria.Divergence());

        Assert.Equal(StopReason.MaxMatvecs, criterion.Check(State([1], [1], matvecs: 10)));
        Assert.Equal(StopReason.None, criterion.Check(State([1], [1], matvecs: 9)));
        Assert.Equal(StopReason.Diverged, criterion.Check(State([double.NaN], [1], matvecs: 9)));
    }

    [Fact]
    public void DefaultCombinesDivergenceResidualAndBudget()
    {
        IEigenStopCriterion criterion = StopCriteria.Default(maxMatvecs: 20, residualTolerance: 1e-6);

        Assert.Equal(StopReason.Diverged, criterion.Check(State([double.NaN], [0], matvecs: 20)));
        Assert.Equal(StopReason.Converged, criterion.Check(State([1], [1e-7], matvecs: 20)));
        Assert.Equal(StopReason.MaxMatvecs, criterion.Check(State([1], [1e-5], matvecs: 20)));
        Assert.Equal(StopReason.None, criterion.Check(State([1], [1e-5], matvecs: 19)));
    }

    [Fact]
    public void FactoriesValidateTheirArguments()
    {
        Assert.Equal("max", Assert.Throws<ArgumentOutOfRangeException>(() => StopCriteria.MaxMatvecs(0)).ParamName);
        Assert.Equal("relativeTolerance", Assert.Throws<ArgumentOutOfRangeException>(() => StopCriteria.Residual(0)).ParamName);
        Assert.Equal("relativeTolerance", Assert.Throws<ArgumentOutOfRangeException>(() => StopCriteria.Residual(double.NaN)).ParamName);
        Assert.Equal("absoluteFloor", Assert.Throws<ArgumentOutOfRangeException>(() => StopCriteria.Residual(1e-8, -1)).ParamName);
        Assert.Equal("tolerance", Assert.Throws<ArgumentOutOfRangeException>(() => StopCriteria.RelativeChange(-1)).ParamName);
        Assert.Equal("criteria", Assert.Throws<ArgumentException>(() => StopCriteria.Any()).ParamName);
        Assert.Equal("criteria", Assert.Throws<ArgumentNullException>(() => StopCriteria.All(StopCriteria.Residual(), null!)).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => StopCriteria.Default(maxMatvecs: 0));
    }
}
