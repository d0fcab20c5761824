using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Sharpness.Cli.Figures;
using Sharpness.Runs;
using Sharpness.Runs.Limits;
using Sharpness.Uv;
using Sharpness.Uv.Dynamics;
using Sharpness.Uv.Model;
using Sharpness.Uv.Simulation;

namespace Sharpness.Cli.Commands;

/// <summary>
/// <c>sharpness uv phase</c>: phase diagrams with the regime labels of uv-model.md section 8, over
/// (c = ηλ₀, r) with the exact scaled map, or over physical settings (η or c against width, init
/// scale or parameterisation) with parameter-space runs from random initialisations.
/// </summary>
public sealed class UvPhaseCommand
{
    /// <summary>The CSV file.</summary>
    public const string CsvFile = "phase.csv";

    private readonly UvModelOptions _model = new();
    private readonly Option<string> _mode = new("--mode") { Description = "scaled: c = eta*lambda_0 against r with the exact map; physical: eta or c against width, init scale or parameterisation with random initialisations.", DefaultValueFactory = _ => "scaled" };
    private readonly Option<double> _cMin = new("--c-min") { Description = "Smallest c = eta*lambda_0 (scaled mode), or smallest --x-axis value (physical mode).", DefaultValueFactory = _ => 0.1 };
    private readonly Option<double> _cMax = new("--c-max") { Description = "Largest c (or --x-axis value).", DefaultValueFactory = _ => 4.5 };
    private readonly Option<int> _cPoints = new("--c-points") { Description = "Number of c (or --x-axis) values.", DefaultValueFactory = _ => 90 };
    private readonly Option<double> _rMin = new("--r-min") { Description = "Scaled mode: smallest r = eta/eta_c.", DefaultValueFactory = _ => 0.02 };
    private readonly Option<double> _rMax = new("--r-max") { Description = "Scaled mode: largest r.", DefaultValueFactory = _ => 2.0 };
    private readonly Option<int> _rPoints = new("--r-points") { Description = "Scaled mode: number of r values.", DefaultValueFactory = _ => 100 };
    private readonly Option<double> _outputRatio = new("--output-ratio") { Description = "Scaled mode: initial output relative to the target, f_0/y = g_0/r.", DefaultValueFactory = _ => 0.0 };
    private readonly Option<string> _xAxis = new("--x-axis") { Description = "Physical mode: eta (learning rate) or c (eta = c/lambda_H(0) per run).", DefaultValueFactory = _ => "c" };
    private readonly Option<bool> _logX = new("--log-x") { Description = "Physical mode: space the --x-axis values logarithmically." };
    private readonly Option<string> _yAxis = new("--y-axis") { Description = "Physical mode: width, init-scale or param.", DefaultValueFactory = _ => "width" };
    private readonly Option<string> _yValues = new("--y-values") { Description = "Physical mode: comma-separated values of --y-axis (widths, sigma_w^2 values or parameterisations).", DefaultValueFactory = _ => "2,8,32,128,512,2048" };
    private readonly Option<int> _seeds = new("--seeds") { Description = "Physical mode: initialisations per cell (seeds --seed, --seed+1, ...).", DefaultValueFactory = _ => 5 };
    private readonly Option<int> _steps = new("--steps") { Description = "Steps per run.", DefaultValueFactory = _ => 2000 };
    private readonly Option<DirectoryInfo> _out = new("--out") { Description = "Run folder (new or empty) for phase.csv, phase.png and manifest.json.", Required = true };
    private readonly Option<bool> _json = new("--json") { Description = "Print a JSON summary (category counts) instead of the human one." };

    /// <summary>Builds the command.</summary>
    /// <param name="context">Writers and raw arguments.</param>
    public static Command Create(CliContext context)
    {
        var definition = new UvPhaseCommand();
        var command = new Command("phase", "Phase diagrams of the regimes (sharpness reduction, progressive sharpening, catapult, EoS, chaos, divergence).");
        foreach (Option option in new Option[] { definition._mode, definition._cMin, definition._cMax, definition._cPoints, definition._rMin, definition._rMax, definition._rPoints, definition._outputRatio, definition._xAxis, definition._logX, definition._yAxis, definition._yValues, definition._seeds, definition._steps, definition._out, definition._json })
        {
            command.Options.Add(option);
        }

        definition._model.AddTo(command);
        command.SetAction(parse => definition.Execute(parse, context));
        return command;
    }

    private int Execute(ParseResult parse, CliContext context)
    {
        var started = DateTimeOffset.UtcNow;
        string mode = parse.GetValue(_mode)!.ToLowerInvariant();
        if (mode is not ("scaled" or "physical"))
        {
            throw new UsageException("--mode", $"expected scaled or physical, got '{mode}'.");
        }

        var (cMin, cMax) = OptionValues.Range(parse.GetValue(_cMin), parse.GetValue(_cMax), "--c-min", "--c-max");
        int cPoints = OptionValues.AtLeast(parse.GetValue(_cPoints), 2, "--c-points");
        int steps = OptionValues.AtLeast(parse.GetValue(_steps), 1, "--steps");
        return mode == "scaled"
            ? Scaled(parse, context, started, cMin, cMax, cPoints, steps)
            : Physical(parse, context, started, cMin, cMax, cPoints, steps);
    }

    private int Scaled(ParseResult parse, CliContext context, DateTimeOffset started, double cMin, double cMax, int cPoints, int steps)
    {
        var (rMin, rMax) = OptionValues.Range(parse.GetValue(_rMin), parse.GetValue(_rMax), "--r-min", "--r-max");
        int rPoints = OptionValues.AtLeast(parse.GetValue(_rPoints), 2, "--r-points");
        double ratio = OptionValues.Finite(parse.GetValue(_outputRatio), "--output-ratio");
        ResourceLimits.RequireMemory(rPoints > cPoints ? "--r-points" : "--c-points", $"{cPoints:N0} x {rPoints:N0} cells", UvCost.PhaseCellBytes((double)cPoints * rPoints), "the phase diagram");
        ResourceLimits.RequireOperations(rPoints > cPoints ? "--r-points" : "--c-points", $"{cPoints:N0} x {rPoints:N0} cells of {steps:N0} steps", (double)cPoints * rPoints * steps, "map steps");
        double[] cs = UvPhaseFigures.Linear(cMin, cMax, cPoints);
        double[] rs = UvPhaseFigures.Linear(rMin, rMax, rPoints);
        if (!(cs[^1] >= 2 * Math.Abs(ratio) * rs.Min(Math.Abs)))
        {
            throw new UsageException("--output-ratio", $"{OptionValues.Text(ratio)} leaves no cell of the grid realisable (every c is below 2|g0| = 2|ratio|*r, which no weights give); lower it or raise --c-max.");
        }

        var output = RunOutput.Prepare(parse.GetValue(_out)!, [CsvFile, "phase.png", "phase.svg"]);
        var cells = new int[rPoints, cPoints];
        var labels = new string[rPoints, cPoints];
        Parallel.For(0, rPoints * cPoints, k =>
        {
            int i = k / cPoints, j = k % cPoints;
            double r = rs[i], c = cs[j], g0 = ratio * r;
            if (c < 2 * Math.Abs(g0))
            {
                // No weights give x₀ < 2|g₀| (Cauchy–Schwarz): the cell is not realisable.
                cells[i, j] = -1;
                labels[i, j] = UvPhaseFigures.Unrealisable;
                return;
            }

            var run = UvScaledRun.Run(new UvScaledState(g0, c), r, steps);
            cells[i, j] = RegimeCategory.Of(run.Regimes);
            labels[i, j] = string.Join(' ', run.Regimes.Labels.DefaultIfEmpty("converged"));
        });

        output.WriteCsv(CsvFile, ["c", "r", "category", "labels"], writer =>
        {
            for (int i = 0; i < rPoints; i++)
            {
                for (int j = 0; j < cPoints; j++)
                {
                    writer.WriteRow([CsvTable.Format(cs[j]), CsvTable.Format(rs[i]), UvPhaseFigures.CsvName(cells[i, j]), labels[i, j]]);
                }
            }
        });
        var configuration = new JsonObject
        {
            ["mode"] = "scaled",
            ["c_min"] = cMin,
            ["c_max"] = cMax,
            ["c_points"] = cPoints,
            ["r_min"] = rMin,
            ["r_max"] = rMax,
            ["r_points"] = rPoints,
            ["output_ratio"] = ratio,
            ["steps"] = steps,
        };
        return Finish(parse, context, output, configuration, started, Counts(cells), 0);
    }

    private int Physical(ParseResult parse, CliContext context, DateTimeOffset started, double xMin, double xMax, int xPoints, int steps)
    {
        string xAxis = parse.GetValue(_xAxis)!.ToLowerInvariant();
        if (xAxis is not ("eta" or "c"))
        {
            throw new UsageException("--x-axis", $"expected eta or c, got '{xAxis}'.");
        }

        bool logX = parse.GetValue(_logX);
        if (logX && !(xMin > 0))
        {
            throw new UsageException("--c-min", "must be positive with --log-x.");
        }

        if (!(xMin > 0))
        {
            throw new UsageException("--c-min", $"must be positive: it is a learning rate or c = eta*lambda_H(0) (got {OptionValues.Text(xMin)}).");
        }

        string yAxis = parse.GetValue(_yAxis)!.ToLowerInvariant();
        if (yAxis is not ("width" or "init-scale" or "param"))
        {
            throw new UsageException("--y-axis", $"expected width, init-scale or param, got '{yAxis}'.");
        }

        string[] yTexts = parse.GetValue(_yValues)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (yTexts.Length == 0)
        {
            throw new UsageException("--y-values", "needs at least one value.");
        }

        int seeds = OptionValues.AtLeast(parse.GetValue(_seeds), 1, "--seeds");
        UvModelConfig baseModel = _model.Build(parse);
        if (baseModel.InitialWeights is not null)
        {
            throw new UsageException("--init-file", "does not apply to physical phase diagrams, which draw random initialisations.");
        }

        var models = yTexts.Select(text => ModelFor(baseModel, yAxis, text)).ToArray();
        ResourceLimits.RequireMemory("--y-values", $"runs of width up to {models.Max(m => m.EffectiveWidth):N0} and {steps:N0} steps", Environment.ProcessorCount * models.Max(m => UvCost.SimulationBytes(m.EffectiveWidth, m.InputDimension, steps)), "the runs computed at once");
        ResourceLimits.RequireOperations("--seeds", $"{xPoints:N0} x {models.Length:N0} cells of {seeds:N0} seeds and {steps:N0} steps", (double)xPoints * seeds * steps * models.Sum(m => (double)m.EffectiveWidth * m.InputDimension), "weight updates");
        foreach (var (model, text) in models.Zip(yTexts))
        {
            if (UvGradientDescent.CheckStart(model, xAxis == "eta" ? LearningRateSpec.Absolute(xMax) : LearningRateSpec.RelativeToInitialSharpness(xMax)) is { } problem)
            {
                throw new UsageException(problem.Cause == UvStartCause.LearningRate ? "--c-max" : AnalysisOptions.IsGiven(parse, _yValues) ? "--y-values" : "--init-scale", $"{yAxis} {text}: {problem.Description}.");
            }
        }

        var output = RunOutput.Prepare(parse.GetValue(_out)!, [CsvFile, "phase.png", "phase.svg"]);
        double[] xs = UvPhaseFigures.PhysicalAxis(xMin, xMax, xPoints, logX);
        int rows = models.Length;
        var cells = new int[rows, xPoints];
        var fractions = new double[rows, xPoints];
        Parallel.For(0, rows * xPoints, k =>
        {
            int i = k / xPoints, j = k % xPoints;
            var counts = new int[RegimeCategory.Names.Count];
            for (int seed = 0; seed < seeds; seed++)
            {
                var model = models[i] with { Seed = baseModel.Seed + (ulong)seed };
                var rate = xAxis == "eta" ? LearningRateSpec.Absolute(xs[j]) : LearningRateSpec.RelativeToInitialSharpness(xs[j]);
                var run = UvGradientDescent.Run(model, new UvTrainingConfig { LearningRate = rate, Steps = steps });
                counts[RegimeCategory.Of(run.Regimes)]++;
            }

            int majority = Array.IndexOf(counts, counts.Max());
            cells[i, j] = majority;
            fractions[i, j] = (double)counts[majority] / seeds;
        });

        output.WriteCsv(CsvFile, [xAxis, yAxis, "seeds", "majority", "fraction"], writer =>
        {
            for (int i = 0; i < rows; i++)
            {
                for (int j = 0; j < xPoints; j++)
                {
                    writer.WriteRow([CsvTable.Format(xs[j]), yTexts[i], seeds.ToString(CultureInfo.InvariantCulture), UvPhaseFigures.CsvName(cells[i, j]), CsvTable.Format(fractions[i, j])]);
                }
            }
        });

        var configuration = _model.ToJson(parse, baseModel);
        configuration["mode"] = "physical";
        configuration["x_axis"] = xAxis;
        configuration["x_min"] = xMin;
        configuration["x_max"] = xMax;
        configuration["x_points"] = xPoints;
        configuration["log_x"] = logX;
        configuration["y_axis"] = yAxis;
        configuration["y_values"] = new JsonArray(yTexts.Select(t => (JsonNode?)JsonValue.Create(t)).ToArray());
        configuration["seeds"] = seeds;
        configuration["steps"] = steps;
        return Finish(parse, context, output, configuration, started, Counts(cells), baseModel.Seed);
    }

    private static UvModelConfig ModelFor(UvModelConfig baseModel, string yAxis, string text)
    {
        switch (yAxis)
        {
            case "width":
                if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int width) || width < 1)
                {
                    throw new UsageException("--y-values", $"'{text}' is not a width (an integer >= 1).");
                }

                return baseModel with { Width = width, NormaliserOverride = baseModel.NormaliserOverride };
            case "init-scale":
                if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double scale) || !(scale > 0) || !double.IsFinite(scale))
                {
                    throw new UsageException("--y-values", $"'{text}' is not an init scale (a positive number).");
                }

                return baseModel with { BaseVariance = scale };
            default:
                if (!Parameterisation.TryParse(text, out var parameterisation))
                {
                    throw new UsageException("--y-values", $"'{text}' is not a parameterisation (ntp, mup, sp or s=<value>).");
                }

                return baseModel with { Parameterisation = parameterisation! };
        }
    }

    private static JsonObject Counts(int[,] cells)
    {
        var counts = new JsonObject();
        foreach (var group in cells.Cast<int>().GroupBy(c => c).OrderBy(g => g.Key))
        {
            counts[group.Key < 0 ? "unrealisable" : RegimeCategory.Names[group.Key]] = group.Count();
        }

        return new JsonObject { ["cells"] = cells.Length, ["category_counts"] = counts };
    }

    private int Finish(ParseResult parse, CliContext context, RunOutput output, JsonObject configuration, DateTimeOffset started, JsonObject results, ulong seed)
    {
        var files = new List<string> { CsvFile };
        files.AddRange(output.WriteFigures(UvPhaseFigures.Render(SavedRun.Writing(output.Path, "uv phase", configuration, results))));
        output.Complete("uv phase", context, configuration, seed, started, results, files);
        if (parse.GetValue(_json))
        {
            context.Output.WriteLine(new JsonObject { ["configuration"] = configuration.DeepClone(), ["results"] = results.DeepClone(), ["out"] = output.Path }.ToJsonString(JsonOutput.Options));
        }
        else
        {
            context.Output.WriteLine($"phase diagram: {results["cells"]} cells");
            foreach (var (name, count) in results["category_counts"]!.AsObject())
            {
                context.Output.WriteLine($"  {name}: {count}");
            }

            context.Output.WriteLine($"wrote {string.Join(", ", files)} and manifest.json in {output.Path}");
        }

        return ExitCodes.Success;
    }
}
