namespace Sharpness.Plots;

/// <summary>What a training-trajectory figure shows (physical units).</summary>
public sealed record TrajectoryFigureData
{
    /// <summary>Title.</summary>
    public required string Title { get; init; }

    /// <summary>Step indices.</summary>
    public required double[] Steps { get; init; }

    /// <summary>Hessian sharpness λ_H per step.</summary>
    public required double[] Sharpness { get; init; }

    /// <summary>NTK λ per step, or null when not available.</summary>
    public double[]? Ntk { get; init; }

    /// <summary>Training loss per step.</summary>
    public required double[] Loss { get; init; }

    /// <summary>Learning rate η (draws the threshold 2/η).</summary>
    public required double LearningRate { get; init; }
}

/// <summary>Sharpness against step with the stability threshold 2/η (top), and the loss on a log scale (bottom).</summary>
public static class TrajectoryFigure
{
    /// <summary>Renders the two panels into one PNG.</summary>
    /// <param name="data">What to draw.</param>
    public static RenderedFigure Render(TrajectoryFigureData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var series = new List<Series> { new("λ_H (Hessian sharpness)", data.Steps, data.Sharpness) };
        if (data.Ntk is not null)
        {
            // Dashed, so that λ_H stays visible where the two coincide (wide networks, λ_H ≈ λ).
            series.Add(new Series("λ (NTK)", data.Steps, data.Ntk, Dashed: true));
        }

        (double, double)? steps = data.Steps.Length > 1 ? (data.Steps[0], data.Steps[^1]) : null;
        var top = LineFigure.Build(new LineFigureData
        {
            Title = data.Title,
            XLabel = "step",
            YLabel = "sharpness (top Hessian eigenvalue)",
            Series = series,
            HorizontalLines = [(2 / data.LearningRate, "2/η")],
            XRange = steps,
        });
        var bottom = LineFigure.Build(new LineFigureData
        {
            Title = "training loss",
            XLabel = "step",
            YLabel = "loss (log scale)",
            Series = [new Series("loss", data.Steps, data.Loss)],
            LogY = true,
            XRange = steps,
        });
        return FigureStyle.Stack([top, bottom]);
    }
}
