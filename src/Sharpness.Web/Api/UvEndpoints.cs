using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Sharpness.Experiments.Uv;
using Sharpness.Uv.Model;
using Sharpness.Uv.Simulation;
using Sharpness.Web.Uv;

namespace Sharpness.Web.Api;

/// <summary>The UV-model endpoints under <c>/api/uv/</c> (docs/explorer.md lists their parameters, defaults and bounds).</summary>
internal static class UvEndpoints
{
    public static void Map(IEndpointRouteBuilder app, ExplorerLimits limits)
    {
        app.MapGet("/api/uv/trajectory", (HttpRequest request) => Trajectory(request, limits));
        app.MapGet("/api/uv/classify", (HttpRequest request, CancellationToken cancel) => Classify(request, cancel));
        app.MapGet("/api/uv/orbit", (HttpRequest request, CancellationToken cancel) => Orbit(request, limits, cancel));
        app.MapGet("/api/uv/field", (HttpRequest request) => Field(request, limits));
        app.MapGet("/api/uv/fixed-points", (HttpRequest request, CancellationToken cancel) => FixedPoints(request, cancel));
        app.MapGet("/api/uv/cascade", Cascade);
        app.MapGet("/api/uv/phase", (HttpRequest request, CancellationToken cancel) => Phase(request, limits, cancel));
        app.MapGet("/api/uv/physical", Physical);
    }

    private static IResult Json(object value) => Results.Json(value, ApiJson.Options);

    private static IResult Trajectory(HttpRequest request, ExplorerLimits limits)
    {
        var q = new QueryParameters(request, "r", "x0", "g0", "steps", "rho");
        double r = q.Number("r", 0.5, -1e3, 1e3);
        double x0 = q.Number("x0", 1, -1e6, 1e6);
        double g0 = q.Number("g0", 0.2, -1e6, 1e6);
        int steps = q.Integer("steps", 1000, 0, limits.MaxTrajectorySteps);
        double rho = q.Number("rho", 1, double.Epsilon, 1);
        return Json(UvTrajectory.Compute(r, x0, g0, steps, rho));
    }

    private static IResult Classify(HttpRequest request, CancellationToken cancel)
    {
        var q = new QueryParameters(request, "r", "x0", "g0", "transient", "steps");
        double r = q.Number("r", 0.5, -1e3, 1e3);
        double x0 = q.Number("x0", 1, -1e6, 1e6);
        double g0 = q.Number("g0", 0.2, -1e6, 1e6);
        int transient = q.Integer("transient", 1000, 0, 100_000);
        int steps = q.Integer("steps", 10_000, 1, 100_000);
        return Json(UvClassification.Compute(r, x0, g0, transient, steps, cancel));
    }

    private static IResult Orbit(HttpRequest request, ExplorerLimits limits, CancellationToken cancel)
    {
        var q = new QueryParameters(request, "r_min", "r_max", "points", "transient", "keep", "x0", "g0", "quantity", "rows", "v_min", "v_max");
        double rMin = q.Number("r_min", 0.5, -1e3, 1e3);
        double rMax = q.Number("r_max", 2, -1e3, 1e3);
        if (!(rMax > rMin))
        {
            throw ApiException.BadRequest($"r_max: must exceed r_min ({QueryParameters.Format(rMin)}), got {QueryParameters.Format(rMax)}.");
        }

        int points = q.Integer("points", 1000, 2, limits.MaxOrbitPoints);
        int transient = q.Integer("transient", 2000, 0, limits.MaxOrbitTransient);
        int keep = q.Integer("keep", 200, 1, limits.MaxOrbitKeep);
        double work = (double)points * (transient + keep);
        if (work > limits.MaxOrbitWork)
        {
            throw ApiException.BadRequest($"points: points x (transient + keep) = {QueryParameters.Format(work)} map steps exceeds the bound {QueryParameters.Format(limits.MaxOrbitWork)}.");
        }

        if ((double)points * keep > limits.MaxOrbitKept)
        {
            throw ApiException.BadRequest($"keep: points x keep = {QueryParameters.Format((double)points * keep)} kept values exceeds the bound {QueryParameters.Format(limits.MaxOrbitKept)}.");
        }

        double x0 = q.Number("x0", 1, -1e6, 1e6);
        double g0 = q.Number("g0", 0.2, -1e6, 1e6);
        var quantity = q.Choice("quantity", "x", "x", "lr_sharpness", "g") switch
        {
            "lr_sharpness" => OrbitQuantity.LrSharpness,
            "g" => OrbitQuantity.G,
            _ => OrbitQuantity.X,
        };
        int rows = q.Integer("rows", 600, 1, limits.MaxOrbitRows);
        double? vMin = q.OptionalNumber("v_min", -1e6, 1e6);
        double? vMax = q.OptionalNumber("v_max", -1e6, 1e6);
        if (vMin is double low && vMax is double high && !(high > low))
        {
            throw ApiException.BadRequest($"v_max: must exceed v_min ({QueryParameters.Format(low)}), got {QueryParameters.Format(high)}.");
        }

        return Json(OrbitRaster.Compute(rMin, rMax, points, transient, keep, x0, g0, quantity, rows, vMin, vMax, cancel));
    }

    private static IResult Field(HttpRequest request, ExplorerLimits limits)
    {
        var q = new QueryParameters(request, "r", "g_min", "g_max", "x_min", "x_max", "grid");
        double r = q.Number("r", 0.5, -1e3, 1e3);
        var (defaultMin, defaultMax) = UvField.DefaultGRange(r);
        double gMin = q.Number("g_min", defaultMin, -1e6, 1e6);
        double gMax = q.Number("g_max", defaultMax, -1e6, 1e6);
        double xMin = q.Number("x_min", 0, -1e6, 1e6);
        double xMax = q.Number("x_max", 4.5, -1e6, 1e6);
        if (!(gMax > gMin))
        {
            throw ApiException.BadRequest($"g_max: must exceed g_min ({QueryParameters.Format(gMin)}), got {QueryParameters.Format(gMax)}.");
        }

        if (!(xMax > xMin))
        {
            throw ApiException.BadRequest($"x_max: must exceed x_min ({QueryParameters.Format(xMin)}), got {QueryParameters.Format(xMax)}.");
        }

        int grid = q.Integer("grid", 25, 2, limits.MaxFieldGrid);
        return Json(UvField.Compute(r, gMin, gMax, xMin, xMax, grid));
    }

    private static IResult FixedPoints(HttpRequest request, CancellationToken cancel)
    {
        var q = new QueryParameters(request, "r", "max_period");
        double r = q.Number("r", 0.5, -1e3, 1e3);
        int maxPeriod = q.Integer("max_period", 8, 1, 64);
        return Json(new { r, line_of_minima = new { g = r, eigenvalues = "1 - x and 1", stable_for_x_in = new[] { 0.0, 2.0 } }, orbits = UvFixedPoint.All(r, maxPeriod, cancel) });
    }

    private static IResult Cascade(HttpRequest request)
    {
        var q = new QueryParameters(request, "max_period", "map");
        int maxPeriod = q.Integer("max_period", 64, 4, 1024);
        if ((maxPeriod & (maxPeriod - 1)) != 0)
        {
            throw ApiException.BadRequest($"max_period: must be a power of two, got {maxPeriod}.");
        }

        bool full = q.Choice("map", "manifold", "manifold", "full") == "full";
        return Json(UvCascade.Get(full, maxPeriod));
    }

    private static IResult Phase(HttpRequest request, ExplorerLimits limits, CancellationToken cancel)
    {
        var q = new QueryParameters(request, "c_min", "c_max", "c_points", "r_min", "r_max", "r_points", "output_ratio", "steps");
        double cMin = q.Number("c_min", 0.1, -1e3, 1e3);
        double cMax = q.Number("c_max", 4.5, -1e3, 1e3);
        int cPoints = q.Integer("c_points", 90, 2, 4000);
        double rMin = q.Number("r_min", 0.02, -1e3, 1e3);
        double rMax = q.Number("r_max", 2, -1e3, 1e3);
        int rPoints = q.Integer("r_points", 100, 2, 4000);
        double ratio = q.Number("output_ratio", 0, -1e3, 1e3);
        int steps = q.Integer("steps", 2000, 1, 1_000_000);
        if (!(cMax > cMin))
        {
            throw ApiException.BadRequest($"c_max: must exceed c_min ({QueryParameters.Format(cMin)}), got {QueryParameters.Format(cMax)}.");
        }

        if (!(rMax > rMin))
        {
            throw ApiException.BadRequest($"r_max: must exceed r_min ({QueryParameters.Format(rMin)}), got {QueryParameters.Format(rMax)}.");
        }

        long cells = (long)cPoints * rPoints;
        if (cells > limits.MaxPhaseCells)
        {
            throw ApiException.BadRequest($"c_points: c_points x r_points = {cells} cells exceeds the bound {limits.MaxPhaseCells}.");
        }

        if ((double)cells * steps > limits.MaxPhaseWork)
        {
            throw ApiException.BadRequest($"steps: cells x steps = {QueryParameters.Format((double)cells * steps)} exceeds the bound {QueryParameters.Format(limits.MaxPhaseWork)}.");
        }

        var phase = UvPhaseExperiment.Run(new UvPhaseOptions { Mode = PhaseMode.Scaled, CMin = cMin, CMax = cMax, CPoints = cPoints, RMin = rMin, RMax = rMax, RPoints = rPoints, OutputRatio = ratio, Steps = steps }, null, cancel);
        var categories = new int[rPoints * cPoints];
        for (int i = 0; i < rPoints; i++)
        {
            for (int j = 0; j < cPoints; j++)
            {
                categories[(i * cPoints) + j] = phase.Categories[i, j];
            }
        }

        return Json(new { c = phase.XValues, r = phase.RValues, output_ratio = ratio, steps, categories, names = RegimeCategory.Names });
    }

    private static IResult Physical(HttpRequest request)
    {
        var q = new QueryParameters(request, "width", "param", "init_scale", "target", "seed", "lr", "lr_constant");
        int width = q.Integer("width", 100, 1, 1_000_000);
        string paramText = q.Text("param") ?? "ntp";
        if (!Parameterisation.TryParse(paramText, out var parameterisation))
        {
            throw ApiException.BadRequest($"param: expected ntp, mup, sp or s=VALUE with VALUE in [0, 1], got '{QueryParameters.Short(paramText)}'.");
        }

        double initScale = q.Number("init_scale", 1, double.Epsilon, 1e6);
        double target = q.Number("target", 1, -1e6, 1e6);
        int seed = q.Integer("seed", 0, 0, int.MaxValue);
        double? lr = q.OptionalNumber("lr", double.Epsilon, 1e6);
        double lrConstant = q.Number("lr_constant", 1, double.Epsilon, 1e6);
        if (lr is not null && q.Has("lr_constant"))
        {
            throw ApiException.BadRequest("lr: give either lr or lr_constant, not both.");
        }

        return Json(UvPhysicalStart.Compute(width, parameterisation!, initScale, target, (ulong)seed, lr, lrConstant));
    }
}
