using System.Text.Json.Nodes;
using System.Threading.Channels;
using Sharpness.Experiments.Figures;
using Sharpness.Experiments.Runs;
using Sharpness.Runs;
using Sharpness.Uv.Dynamics;

namespace Sharpness.Experiments.Uv;

/// <summary>
/// Writes a <see cref="UvOrbitResult"/> as a run folder: orbit.csv (every finite kept iterate),
/// orbit.png (drawn from the numbers written to the CSV, while it is written) and manifest.json, last.
/// </summary>
public static class UvOrbitWriter
{
    /// <summary>The CSV file of kept iterates.</summary>
    public const string CsvFile = "orbit.csv";

    /// <summary>The files of a run besides the manifest.</summary>
    public static IReadOnlyList<string> Files { get; } = [CsvFile, "orbit.png"];

    /// <summary>Checks that <paramref name="path"/> can take the run, before it starts.</summary>
    /// <param name="path">The run folder (new or empty).</param>
    /// <exception cref="InvalidOptionException">It cannot (<c>--out</c>).</exception>
    public static RunFolder Prepare(string path) => RunFolder.Prepare(path, [.. Files]);

    /// <summary>Writes the run's files and its manifest from a result that kept its iterates; returns the files besides the manifest.</summary>
    /// <param name="folder">The folder <see cref="Prepare"/> accepted.</param>
    /// <param name="result">The diagram, with its <see cref="UvOrbitResult.Samples"/>.</param>
    /// <param name="arguments">The command-line arguments the manifest records (none for a run from code).</param>
    /// <exception cref="ArgumentException">The result streamed its iterates (<see cref="UvOrbitResult.Samples"/> is empty): write it with <see cref="Run"/>.</exception>
    public static IReadOnlyList<string> Write(RunFolder folder, UvOrbitResult result, IReadOnlyList<string>? arguments = null)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(result);
        if (result.Samples.Count == 0)
        {
            throw new ArgumentException("The result holds no iterates (they were streamed); write the run with UvOrbitWriter.Run.", nameof(result));
        }

        var rows = new Rows(result.Options, result.Grid);
        var plotted = new OrbitPlotPoints();
        foreach (var samples in result.Samples)
        {
            rows.AddPlotted(plotted, samples);
        }

        var csv = Task.Run(() => folder.WriteCsv(CsvFile, rows.Columns, writer =>
        {
            foreach (var samples in result.Samples)
            {
                rows.Write(writer, samples);
            }
        }));
        return Finish(folder, result, plotted, csv, arguments);
    }

    /// <summary>
    /// Computes the diagram and writes its run folder, streaming: each value's kept iterates are
    /// written to orbit.csv (on another thread) as soon as they are computed and then dropped, so
    /// memory stays bounded by the values in flight and the figure's points (at most
    /// <see cref="UvOrbitFigures.MaxPlottedPoints"/>) whatever the size of the request. The figure is
    /// drawn while orbit.csv is being finished; the files are those <see cref="Write"/> writes, byte for byte.
    /// </summary>
    /// <param name="folder">The folder <see cref="Prepare"/> accepted.</param>
    /// <param name="options">What to sweep.</param>
    /// <param name="progress">Receives "values" snapshots; null for none.</param>
    /// <param name="cancellationToken">Stops between values; the folder is then left as it was (nothing written).</param>
    /// <param name="arguments">The command-line arguments the manifest records (none for a run from code).</param>
    /// <returns>The result (without <see cref="UvOrbitResult.Samples"/>) and the files written besides the manifest.</returns>
    /// <exception cref="InvalidOptionException">An option is invalid.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static (UvOrbitResult Result, IReadOnlyList<string> Files) Run(RunFolder folder, UvOrbitOptions options, IProgress<Progress.ExperimentProgress>? progress = null, CancellationToken cancellationToken = default, IReadOnlyList<string>? arguments = null)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var rows = new Rows(options, UvOrbitFigures.Grid(options.Min, options.Max, options.Points));
        var plotted = new OrbitPlotPoints();

        // Values in flight between the sweep and the CSV writer: about 4 MB of iterates, at most four chunks.
        int capacity = (int)Math.Clamp(4_000_000 / (16L * options.Keep), 16, 4 * OrbitDiagram.ChunkSize);
        var queue = Channel.CreateBounded<OrbitSamples>(new BoundedChannelOptions(capacity) { SingleReader = true, SingleWriter = true });
        var csv = Task.Run(() =>
        {
            try
            {
                folder.WriteCsv(CsvFile, rows.Columns, writer =>
                {
                    while (queue.Reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
                    {
                        while (queue.Reader.TryRead(out var samples))
                        {
                            rows.Write(writer, samples);
                        }
                    }
                });
            }
            catch (Exception error)
            {
                // Unblocks the sweep, which then stops with this error.
                queue.Writer.TryComplete(error);
                throw;
            }
        });
        UvOrbitResult result;
        try
        {
            result = UvOrbitExperiment.Run(options, samples =>
            {
                rows.AddPlotted(plotted, samples);
                if (!queue.Writer.TryWrite(samples))
                {
                    queue.Writer.WriteAsync(samples, cancellationToken).AsTask().GetAwaiter().GetResult();
                }
            }, progress, cancellationToken);
        }
        catch (Exception error)
        {
            queue.Writer.TryComplete(error);
            Exception? writing = null;
            try
            {
                csv.GetAwaiter().GetResult();
            }
            catch (Exception e)
            {
                writing = e;
            }

            folder.Abandon();
            if (error is ChannelClosedException && writing is not null && writing is not ChannelClosedException)
            {
                // The CSV writer failed first (a full disk): that is the error to report.
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(writing);
            }

            throw;
        }

        queue.Writer.Complete();
        return (result, Finish(folder, result, plotted, csv, arguments));
    }

    // Draws the figure while the CSV is being written, then writes the figure and, last, the manifest.
    private static IReadOnlyList<string> Finish(RunFolder folder, UvOrbitResult result, OrbitPlotPoints plotted, Task csv, IReadOnlyList<string>? arguments)
    {
        var configuration = Configuration(result);
        var results = Results(result);
        IReadOnlyList<NamedFigure> figures;
        try
        {
            figures = UvOrbitFigures.Render(SavedRun.Writing(folder.Path, UvOrbitExperiment.Command, configuration, results), plotted);
        }
        finally
        {
            csv.GetAwaiter().GetResult();
        }

        var files = new List<string> { CsvFile };
        files.AddRange(folder.WriteFigures(figures));
        folder.Complete(new RunRecord(UvOrbitExperiment.Command, arguments ?? [], configuration, result.Model?.Seed ?? 0, result.StartedUtc, results), files);
        return files;
    }

    /// <summary>How the iterates of one value become rows of orbit.csv and points of the figure.</summary>
    private sealed class Rows(UvOrbitOptions options, IReadOnlyList<double> grid)
    {
        private readonly bool _physical = options.Axis != OrbitAxis.R;
        private readonly int _stride = UvOrbitFigures.Stride(options.Points, options.Keep, options.TwoPasses);

        public IReadOnlyList<string> Columns { get; } =
        [
            "r", "step", "lr_ntk", "lr_sharpness", "g",
            .. options.Axis != OrbitAxis.R ? [options.AxisName] : Array.Empty<string>(),
            .. options.TwoPasses ? ["pass"] : Array.Empty<string>(),
        ];

        // The axis value of the figure is the column the figure reads back: r, or the η or c column.
        private double Axis(OrbitSamples samples) => _physical ? grid[samples.Index] : samples.Point.R;

        public void Write(CsvTableWriter writer, OrbitSamples samples)
        {
            Span<double> row = stackalloc double[Columns.Count];
            double r = samples.Point.R;
            int finite = UvOrbitResult.FiniteCount(samples);
            for (int k = 0; k < finite; k++)
            {
                double g = samples.G[k], x = samples.X[k];
                row[0] = r;
                row[1] = options.Transient + k + 1;
                row[2] = x;
                row[3] = OrbitDiagram.LrSharpness(g, x, r);
                row[4] = g;
                if (_physical)
                {
                    row[5] = grid[samples.Index];
                }

                if (options.TwoPasses)
                {
                    row[^1] = samples.Pass;
                }

                writer.WriteRow(row);
            }
        }

        public void AddPlotted(OrbitPlotPoints plotted, OrbitSamples samples)
        {
            double r = samples.Point.R, axis = Axis(samples);
            int finite = UvOrbitResult.FiniteCount(samples);
            for (int k = 0; k < finite; k++)
            {
                if (UvOrbitFigures.IsPlotted(k, _stride))
                {
                    plotted.Add(axis, samples.X[k], OrbitDiagram.LrSharpness(samples.G[k], samples.X[k], r));
                }
            }
        }
    }

    /// <summary>The complete effective configuration, as the manifest records it.</summary>
    /// <param name="result">The diagram.</param>
    public static JsonObject Configuration(UvOrbitResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var options = result.Options;
        bool scaled = options.Axis == OrbitAxis.R;
        return new JsonObject
        {
            ["axis"] = options.AxisName,
            ["min"] = options.Min,
            ["max"] = options.Max,
            ["points"] = options.Points,
            ["transient"] = options.Transient,
            ["keep"] = options.Keep,
            ["x0"] = scaled ? options.X0 ?? UvOrbitOptions.DefaultX0 : null,
            ["g0"] = scaled ? options.G0 ?? UvOrbitOptions.DefaultG0 : null,
            ["warm_start"] = options.WarmStart,
            ["direction"] = options.WarmStart ? (options.Direction ?? SweepDirection.Up).ToString().ToLowerInvariant() : null,
            ["value_min"] = JsonOutput.Number(options.ValueMin),
            ["value_max"] = JsonOutput.Number(options.ValueMax),
            ["divergence_threshold"] = options.DivergenceThreshold,
            ["model"] = result.Model is null ? null : options.Model.ToJson(result.Model),
            ["sharpness"] = "lr_sharpness = eta*lambda_H, closed form for width n >= 2",
        };
    }

    /// <summary>The summary results, as the manifest records them.</summary>
    /// <param name="result">The diagram.</param>
    public static JsonObject Results(UvOrbitResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var initial = result.ModelInitial;
        return new JsonObject
        {
            ["rows"] = result.Rows,
            ["diverged_values"] = result.DivergedValues,
            ["map_steps"] = result.MapSteps,
            ["seconds"] = result.Seconds,
            ["map_steps_per_second"] = result.MapSteps / Math.Max(result.Seconds, 1e-9),
            ["flip_points_marked"] = new JsonArray(result.FlipPoints.Select(f => (JsonNode?)JsonValue.Create(f)).ToArray()),
            ["plotted_points"] = result.PlottedPoints,
            ["model_initial"] = initial is null ? null : new JsonObject { ["f"] = initial.Output, ["ntk"] = initial.Ntk, ["normaliser"] = initial.Normaliser, ["target"] = initial.Target },
        };
    }
}
