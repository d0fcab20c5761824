using System.Text.Json.Nodes;
using Sharpness.Core.Dynamics;
using Sharpness.Runs;

namespace Sharpness.Experiments.Uv;

/// <summary>Turns a <see cref="UvFixedPointsResult"/> into JSON (the command writes no run folder).</summary>
public static class UvFixedPointsWriter
{
    /// <summary>The orbits as one JSON document: r, the line of minima and every orbit with its points, multipliers and stability.</summary>
    /// <param name="result">The orbits.</param>
    public static JsonObject Json(UvFixedPointsResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return new JsonObject
        {
            ["r"] = result.Options.R,
            ["line_of_minima"] = new JsonObject
            {
                ["g"] = result.Options.R,
                ["eigenvalues"] = "1 - x and 1",
                ["stable_for_x_in"] = new JsonArray(0.0, 2.0),
            },
            ["orbits"] = new JsonArray(result.Orbits.Select(f => (JsonNode?)OrbitJson(f.Kind, f.Orbit)).ToArray()),
        };
    }

    private static JsonObject OrbitJson(string kind, PeriodicOrbit orbit) => new()
    {
        ["kind"] = kind,
        ["period"] = orbit.Period,
        ["points"] = new JsonArray(orbit.Points.Select(p => (JsonNode?)new JsonArray(JsonOutput.Number(p[0]), JsonOutput.Number(p[1]))).ToArray()),
        ["multipliers"] = new JsonArray(orbit.Multipliers.Select(m => (JsonNode?)new JsonObject
        {
            ["re"] = JsonOutput.Number(m.Real),
            ["im"] = JsonOutput.Number(m.Imaginary),
            ["abs"] = JsonOutput.Number(m.Magnitude),
        }).ToArray()),
        ["stable"] = orbit.IsStable,
    };
}
