using System.Globalization;
using System.Text.Json.Nodes;
using Sharpness.Core.Spectral;
using Sharpness.Experiments.Runs;
using Sharpness.Plots;
using Sharpness.Runs;

namespace Sharpness.Experiments.Spectrum;

/// <summary>
/// Writes a <see cref="SpectrumResult"/> as a run folder (CSV tables, the density figure, the manifest last) and
/// describes it as JSON (the manifest's configuration and results, and the one-object summary of <c>--json</c>).
/// </summary>
/// <remarks>
/// Files: <c>eigenvalues.csv</c> (<c>matrix,end,rank,eigenvalue,residual</c>: the Hessian's top and bottom eigenvalues
/// and the Gauss–Newton top one); with a trace, <c>trace.csv</c> (<c>probe,quadratic_form,estimate,standard_error</c>,
/// the running estimate after each probe); with a density, <c>density.csv</c> (<c>lambda,density,count</c>: ρ
/// integrating to 1, and P·ρ, eigenvalues per unit λ, integrating to the parameter count P), <c>density_nodes.csv</c> (<c>probe,node,weight</c>, the quadrature rules, so the density can be redrawn with
/// another broadening) and <c>density.png</c>/<c>.svg</c>.
/// </remarks>
public static class SpectrumWriter
{
    /// <summary>The command a manifest names.</summary>
    public const string Command = "net spectrum";

    /// <summary>The eigenvalue table.</summary>
    public const string EigenvaluesFile = "eigenvalues.csv";

    /// <summary>The trace table.</summary>
    public const string TraceFile = "trace.csv";

    /// <summary>The density on its grid.</summary>
    public const string DensityFile = "density.csv";

    /// <summary>The quadrature nodes and weights.</summary>
    public const string DensityNodesFile = "density_nodes.csv";

    /// <summary>The files a run with <paramref name="options"/> writes besides the manifest.</summary>
    /// <param name="options">The run's options.</param>
    public static IReadOnlyList<string> Files(SpectrumOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var files = new List<string> { EigenvaluesFile };
        if (options.Trace is not null)
        {
            files.Add(TraceFile);
        }

        if (options.Density is not null)
        {
            files.AddRange([DensityFile, DensityNodesFile, "density.png", "density.svg"]);
        }

        return files;
    }

    /// <summary>Checks that <paramref name="path"/> can take the run, before it starts.</summary>
    /// <param name="path">The run folder (new or empty).</param>
    /// <param name="options">The run's options (which decide the files).</param>
    /// <exception cref="InvalidOptionException">It cannot (<c>--out</c>).</exception>
    public static RunFolder Prepare(string path, SpectrumOptions options) => RunFolder.Prepare(path, [.. Files(options)]);

    /// <summary>Writes the tables, the figure and the manifest; returns the files besides the manifest.</summary>
    /// <param name="folder">The folder <see cref="Prepare"/> accepted.</param>
    /// <param name="result">The measurements.</param>
    /// <param name="arguments">The command-line arguments the manifest records (none for a run from code).</param>
    /// <param name="provenance">More keys for the manifest's configuration (where an in-memory model came from), or null.</param>
    public static IReadOnlyList<string> Write(RunFolder folder, SpectrumResult result, IReadOnlyList<string>? arguments = null, JsonObject? provenance = null)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(result);
        var written = new List<string>();
        folder.WriteCsv(EigenvaluesFile, ["matrix", "end", "rank", "eigenvalue", "residual"], writer =>
        {
            void Rows(string matrix, string end, SpectrumEnd? values)
            {
                for (int i = 0; values is not null && i < values.Eigenvalues.Count; i++)
                {
                    writer.WriteRow([matrix, end, (i + 1).ToString(CultureInfo.InvariantCulture), CsvTable.Format(values.Eigenvalues[i]), CsvTable.Format(values.Residuals[i])]);
                }
            }

            Rows("hessian", "top", result.Top);
            Rows("hessian", "bottom", result.Bottom);
            Rows("gauss-newton", "top", result.GaussNewton);
        });
        written.Add(EigenvaluesFile);

        if (result.Trace is { } trace)
        {
            folder.WriteCsv(TraceFile, ["probe", "quadratic_form", "estimate", "standard_error"], writer =>
            {
                IReadOnlyList<double> forms = trace.Estimate.QuadraticForms;
                double sum = 0, squares = 0;
                for (int i = 0; i < forms.Count; i++)
                {
                    // Running mean and standard error, as the estimator saw them after each probe (Welford's update).
                    double delta = forms[i] - (i == 0 ? 0 : sum / i);
                    sum += forms[i];
                    double mean = sum / (i + 1);
                    squares += delta * (forms[i] - mean);
                    double error = i == 0 ? double.NaN : Math.Sqrt(squares / i / (i + 1));
                    writer.WriteRow([i + 1, forms[i], mean, error]);
                }
            });
            written.Add(TraceFile);
        }

        if (result.Density is { } density)
        {
            folder.WriteCsv(DensityFile, ["lambda", "density", "count"], writer =>
            {
                for (int i = 0; i < density.Lambda.Count; i++)
                {
                    writer.WriteRow([density.Lambda[i], density.Density[i], result.Parameters * density.Density[i]]);
                }
            });
            folder.WriteCsv(DensityNodesFile, ["probe", "node", "weight"], writer =>
            {
                for (int r = 0; r < density.Estimate.Rules.Count; r++)
                {
                    QuadratureRule rule = density.Estimate.Rules[r];
                    for (int j = 0; j < rule.Nodes.Length; j++)
                    {
                        writer.WriteRow([r + 1, rule.Nodes[j], rule.Weights[j]]);
                    }
                }
            });
            written.AddRange([DensityFile, DensityNodesFile]);
        }

        JsonObject configuration = Configuration(result);
        foreach (var (key, value) in provenance ?? [])
        {
            configuration[key] = value?.DeepClone();
        }

        // Drawn from the files just written, as sharpness plot redraws them.
        JsonObject results = Results(result);
        written.AddRange(folder.WriteFigures(SpectrumFigures.Render(SavedRun.Writing(folder.Path, Command, configuration, results))));
        folder.Complete(new RunRecord(Command, arguments ?? [], configuration, result.Options.Seed, result.StartedUtc, results), written);
        return written;
    }

    /// <summary>The manifest's configuration: every setting, the model's and the data's provenance and SHA-256.</summary>
    /// <param name="result">The measurements (for the resolved values: shapes, counts, broadening).</param>
    public static JsonObject Configuration(SpectrumResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        SpectrumOptions o = result.Options;
        return new JsonObject
        {
            ["torchscript"] = o.TorchScriptFile is null ? null : Path.GetFullPath(o.TorchScriptFile),
            ["model"] = o.Model is null ? "torchscript" : o.Model.GetName(),
            ["torchscript_sha256"] = result.ModelSha256,
            ["data"] = result.DataSource,
            ["data_sha256"] = result.DataSha256,
            ["inputs_name"] = o.DataFile is null ? null : o.InputsName,
            ["targets_name"] = o.DataFile is null ? null : o.TargetsName,
            ["dataset"] = o.ImageDataset?.Name ?? (o.SyntheticDataset is null ? null : "synthetic"),
            ["data_dir"] = o.ImageDataset?.Directory,
            ["classes"] = o.ImageDataset?.Classes is { } classes ? string.Join(',', classes) : null,
            ["input_shape"] = Array(result.InputShape.Select(d => (double)d)),
            ["outputs"] = result.Outputs,
            ["examples"] = result.Examples,
            ["measure_size"] = o.MeasureSize,
            ["parameters"] = result.Parameters,
            ["parameter_shapes"] = new JsonArray(result.ParameterShapes.Select(p => (JsonNode?)new JsonObject
            {
                ["name"] = p.Name,
                ["shape"] = Array(p.Shape.Select(d => (double)d)),
            }).ToArray()),
            ["mode"] = "eval",
            ["loss"] = o.Loss.Name,
            ["loss_convention"] = o.Loss.Convention,
            ["dtype"] = o.Precision.ToString().ToLowerInvariant(),
            ["batch_size"] = o.BatchSize,
            ["top_k"] = o.TopK,
            ["bottom_k"] = o.BottomK,
            ["tolerance"] = o.Tolerance,
            ["max_matvecs"] = o.MaxMatvecs,
            ["gauss_newton"] = o.GaussNewton,
            ["trace"] = o.Trace is not null,
            ["trace_tolerance"] = o.Trace?.RelativeTolerance,
            ["trace_min_probes"] = o.Trace?.MinProbes,
            ["trace_max_probes"] = o.Trace?.MaxProbes,
            ["trace_seed"] = o.Trace?.Seed,
            ["density"] = o.Density is not null,
            ["density_probes"] = o.Density?.Probes,
            ["density_steps"] = o.Density?.Steps,
            ["density_seed"] = o.Density?.Seed,
            ["density_sigma"] = JsonOutput.Number(result.Density?.Broadening),
            ["density_sigma_rule"] = o.Density is null ? null : o.DensityBroadening is null ? "PyHessian: sqrt(1e-5 * max(1, lambda_max - lambda_min))" : "given",
            ["density_points"] = o.Density is null ? null : o.DensityPoints,
            ["seed"] = o.Seed,
            ["threads"] = o.Threads,
            ["mkl_cbwr"] = Sharpness.Nets.NumericalReproducibility.Setting,
            ["blas"] = Sharpness.Nets.NativeBlas.Name(Sharpness.Nets.NativeBlas.Backend),
            ["blas_reason"] = Sharpness.Nets.NativeBlas.Reason,
            ["blas_library"] = Sharpness.Nets.NativeBlas.Describe(),
            ["blas_check"] = Sharpness.Nets.NativeBlas.Check,
            ["graph_optimisation"] = result.GraphOptimisationOff ? "off" : "on",
            ["eigen_solver"] = "Lanczos with full re-orthogonalisation on exact Hessian-vector products (double backward)",
        };
    }

    /// <summary>The manifest's results: every number measured, with the costs.</summary>
    /// <param name="result">The measurements.</param>
    public static JsonObject Results(SpectrumResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        JsonObject summary = Summary(result);
        summary["hessian_products"] = result.HessianProducts;
        JsonObject Time(StageTime? t, int? products) => t is null ? new JsonObject() : new JsonObject
        {
            ["seconds"] = t.Seconds,
            ["cpu_seconds"] = t.CpuSeconds,
            ["products"] = products,
            ["seconds_per_product"] = products is > 0 ? JsonOutput.Number(t.Seconds / products.Value) : null,
            ["cpu_seconds_per_product"] = products is > 0 ? JsonOutput.Number(t.CpuSeconds / products.Value) : null,
        };
        summary["timing"] = new JsonObject
        {
            ["total"] = Time(result.Time, null),
            ["top"] = Time(result.Top.Time, result.Top.Matvecs),
            ["bottom"] = result.Bottom is null ? null : Time(result.Bottom.Time, result.Bottom.Matvecs),
            ["gauss_newton"] = result.GaussNewton is null ? null : Time(result.GaussNewton.Time, result.GaussNewton.Matvecs),
            ["trace"] = result.Trace is null ? null : Time(result.Trace.Time, result.Trace.Estimate.Probes),
            ["density"] = result.Density is null ? null : Time(result.Density.Time, result.Density.Estimate.Matvecs),
        };
        return summary;
    }

    /// <summary>
    /// The one object <c>--json</c> prints: <c>eigenvalues</c> (largest first, plain numbers) with <c>residuals</c>,
    /// <c>bottom_eigenvalues</c>/<c>bottom_residuals</c> when asked for, <c>gauss_newton</c>, <c>trace</c>
    /// (<c>estimate</c>, <c>standard_error</c>, <c>probes</c>), <c>density</c>, <c>loss</c>, <c>gradient_norm</c>, and
    /// the model's and data's identity.
    /// </summary>
    /// <param name="result">The measurements.</param>
    public static JsonObject Summary(SpectrumResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var json = new JsonObject
        {
            ["eigenvalues"] = Array(result.Top.Eigenvalues),
            ["residuals"] = Array(result.Top.Residuals),
            ["converged"] = result.Top.Converged,
            ["matvecs"] = result.Top.Matvecs,
        };
        if (result.Bottom is { } bottom)
        {
            json["bottom_eigenvalues"] = Array(bottom.Eigenvalues);
            json["bottom_residuals"] = Array(bottom.Residuals);
            json["bottom_converged"] = bottom.Converged;
            json["bottom_matvecs"] = bottom.Matvecs;
        }

        if (result.GaussNewton is { } gn)
        {
            json["gauss_newton"] = new JsonObject
            {
                ["eigenvalue"] = JsonOutput.Number(gn.Eigenvalues.Count > 0 ? gn.Eigenvalues[0] : double.NaN),
                ["residual"] = JsonOutput.Number(gn.Residuals.Count > 0 ? gn.Residuals[0] : double.NaN),
                ["converged"] = gn.Converged,
                ["matvecs"] = gn.Matvecs,
            };
        }

        if (result.Trace is { } trace)
        {
            json["trace"] = new JsonObject
            {
                ["estimate"] = JsonOutput.Number(trace.Estimate.Estimate),
                ["standard_error"] = JsonOutput.Number(trace.Estimate.StandardError),
                ["probes"] = trace.Estimate.Probes,
                ["converged"] = trace.Estimate.Converged,
            };
        }

        if (result.Density is { } density)
        {
            json["density"] = new JsonObject
            {
                ["probes"] = density.Estimate.Rules.Count,
                ["steps"] = result.Options.Density!.Steps,
                ["matvecs"] = density.Estimate.Matvecs,
                ["sigma"] = JsonOutput.Number(density.Broadening),
                ["lambda_min"] = JsonOutput.Number(density.Estimate.MinimumNode),
                ["lambda_max"] = JsonOutput.Number(density.Estimate.MaximumNode),
                ["moments"] = Array(Enumerable.Range(1, 4).Select(density.Estimate.Moment)),
            };
        }

        json["loss"] = JsonOutput.Number(result.LossValue);
        json["gradient_norm"] = JsonOutput.Number(result.GradientNorm);
        json["loss_name"] = result.Loss.Name;
        json["loss_convention"] = result.Loss.Convention;
        json["parameters"] = result.Parameters;
        json["examples"] = result.Examples;
        json["torchscript_sha256"] = result.ModelSha256;
        json["data_sha256"] = result.DataSha256;
        return json;
    }

    private static JsonArray Array(IEnumerable<double> values) => new(values.Select(v => (JsonNode?)JsonOutput.Number(v)).ToArray());
}
