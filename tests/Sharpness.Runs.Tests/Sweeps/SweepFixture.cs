using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Parquet;
using Parquet.Schema;

namespace Sharpness.Runs.Tests.Sweeps;

/// <summary>Builds fake sweep folders and reads Parquet tables back.</summary>
internal static class SweepFixture
{
    public static string NewFolder()
    {
        string path = Path.Combine(Path.GetTempPath(), "sharpness-sweep-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    public static readonly string[] TrajectoryColumns = ["step", "loss", "f", "residual", "ntk", "sharpness", "lr_ntk", "lr_sharpness", "q"];

    /// <summary>
    /// A sweep of five complete runs (two "uv simulate" runs, a nested configuration with an
    /// orbit CSV, a run without a CSV, a phase run with text columns), four incomplete folders and
    /// a hidden folder.
    /// </summary>
    public static string StandardSweep()
    {
        string sweep = NewFolder();

        // lr-0.5: a complete simulate run with ordinary values, including tricky doubles.
        string a = Run(sweep, "lr-0.5");
        WriteCsv(a, "trajectory.csv", TrajectoryColumns, SimulateRows(seed: 1, rows: 8, special: true));
        File.WriteAllBytes(Path.Combine(a, "trajectory.png"), [137, 80, 78, 71]);
        WriteManifest(a, new RunManifest
        {
            Command = "uv simulate",
            Arguments = ["uv", "simulate", "--lr", "0.5"],
            Configuration = new JsonObject { ["width"] = 100, ["param"] = "ntp", ["lr"] = 0.5, ["input"] = new JsonArray(1), ["model"] = null, ["mixed"] = 3 },
            Seed = 0,
            StartedUtc = Time,
            FinishedUtc = Time,
            Results = new JsonObject
            {
                ["steps_completed"] = 8,
                ["final"] = new JsonObject { ["loss"] = 0.25, ["f"] = 0.9 },
                ["labels"] = new JsonArray("catapult"),
                ["diverged"] = false,
                ["diverged_at_step"] = null,
            },
            Files = ["trajectory.csv", "trajectory.png"],
        });

        // lr-1: diverged, with non-finite results written the toolkit's way, and the largest seed.
        string b = Run(sweep, "lr-1");
        WriteCsv(b, "trajectory.csv", TrajectoryColumns, SimulateRows(seed: 2, rows: 4, special: false));
        WriteManifest(b, new RunManifest
        {
            Command = "uv simulate",
            Arguments = ["uv", "simulate", "--lr", "1"],
            Configuration = new JsonObject { ["width"] = 100, ["param"] = "mup", ["lr"] = 1, ["input"] = new JsonArray(1, -2.5), ["model"] = null },
            Seed = ulong.MaxValue,
            StartedUtc = Time,
            FinishedUtc = Time,
            Results = new JsonObject
            {
                ["steps_completed"] = 3,
                ["final"] = new JsonObject { ["loss"] = JsonOutput.Number(double.PositiveInfinity), ["f"] = JsonOutput.Number(double.NaN) },
                ["labels"] = new JsonArray("catapult", "edge"),
                ["diverged"] = true,
                ["diverged_at_step"] = 2,
            },
            Files = ["trajectory.csv", "trajectory.png"],
        });

        // nested: hand-written manifest with nested configuration, a text needing CSV quotes, an orbit CSV.
        string c = Run(sweep, "nested");
        WriteCsv(c, "orbit.csv", ["step", "x", "y"], [["0", "0.5", "-0.5"], ["1", "-0.5", "0.5"], ["2", "nan", "inf"]]);
        File.WriteAllText(Path.Combine(c, "manifest.json"), """
            {
              "schema": "sharpness.run/1",
              "command": "uv orbit",
              "arguments": ["uv", "orbit"],
              "seed": 7,
              "configuration": {
                "width": 8,
                "model": { "width": 8, "depth": 2, "init": { "scale": 0.5 } },
                "note": "a, \"quoted\"\nnote"
              },
              "toolkit": { "version": "0.1.0" },
              "started_utc": "2025-01-01T00:00:00.0000000Z",
              "finished_utc": "2025-01-01T00:00:01.0000000Z",
              "results": { "period": 2, "final": { "loss": 0.125 }, "labels": [] },
              "files": ["orbit.csv"],
              "complete": true
            }
            """);

        // no-csv: complete, but its only file is a figure.
        string d = Run(sweep, "no-csv");
        WriteManifest(d, new RunManifest
        {
            Command = "uv simulate",
            Arguments = [],
            Configuration = new JsonObject { ["width"] = 50, ["param"] = "ntp", ["lr"] = 0.25, ["mixed"] = "auto" },
            Seed = 3,
            StartedUtc = Time,
            FinishedUtc = Time,
            Results = new JsonObject { ["steps_completed"] = 10, ["diverged"] = false },
            Files = ["figure.png"],
        });

        // phase: a CSV with text columns.
        string e = Run(sweep, "phase");
        WriteCsv(e, "phase.csv", ["c", "r", "category", "labels"], [["1.5", "0.5", "converged", "converged"], ["2.5", "0.5", "catapult", "catapult edge"]]);
        WriteManifest(e, new RunManifest
        {
            Command = "uv phase",
            Arguments = [],
            Configuration = new JsonObject { ["c_points"] = 2, ["r_points"] = 1, ["ratio"] = 0.5 },
            Seed = 0,
            StartedUtc = Time,
            FinishedUtc = Time,
            Results = new JsonObject { ["counts"] = new JsonObject { ["catapult"] = 1, ["converged"] = 1 } },
            Files = ["phase.csv", "phase.png"],
        });

        // Incomplete folders.
        string f = Run(sweep, "no-manifest");
        WriteCsv(f, "trajectory.csv", TrajectoryColumns, SimulateRows(seed: 3, rows: 2, special: false));
        string g = Run(sweep, "not-complete");
        WriteCsv(g, "trajectory.csv", TrajectoryColumns, SimulateRows(seed: 4, rows: 2, special: false));
        File.WriteAllText(Path.Combine(g, "manifest.json"), """{ "schema": "sharpness.run/1", "command": "uv simulate", "seed": 0, "files": ["trajectory.csv"], "complete": false }""");
        string h = Run(sweep, "broken");
        File.WriteAllText(Path.Combine(h, "manifest.json"), """{ "schema": "sharpness.run/1", "command": """);
        Run(sweep, "empty");

        // Hidden folders are not runs.
        string hidden = Run(sweep, ".cache");
        File.WriteAllText(Path.Combine(hidden, "manifest.json"), "{}");
        return sweep;
    }

    public static readonly DateTimeOffset Time = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static string Run(string sweep, string name)
    {
        string path = Path.Combine(sweep, name);
        Directory.CreateDirectory(path);
        return path;
    }

    public static void WriteManifest(string folder, RunManifest manifest) =>
        File.WriteAllText(Path.Combine(folder, RunDirectory.ManifestFileName), manifest.ToJson());

    /// <summary>Writes a CSV with <see cref="CsvTableWriter"/>, the toolkit's own writer.</summary>
    public static void WriteCsv(string folder, string name, string[] columns, IEnumerable<string[]> rows)
    {
        using var stream = File.Create(Path.Combine(folder, name));
        using var writer = new CsvTableWriter(stream, columns);
        foreach (string[] row in rows)
        {
            writer.WriteRow(row);
        }
    }

    /// <summary>Trajectory rows of random doubles (formatted as the toolkit does), optionally with hard values.</summary>
    public static IEnumerable<string[]> SimulateRows(int seed, int rows, bool special)
    {
        var random = new Random(seed);
        double[] hard = [double.NaN, double.PositiveInfinity, double.NegativeInfinity, -0.0, 0.1, 5e-324, double.MaxValue, -1.2345678901234567e-300];
        for (int step = 0; step < rows; step++)
        {
            var row = new string[TrajectoryColumns.Length];
            row[0] = step.ToString(CultureInfo.InvariantCulture);
            for (int j = 1; j < row.Length; j++)
            {
                double value = special && step < hard.Length && j == 1 ? hard[step]
                    : special && step < hard.Length && j == 2 ? hard[hard.Length - 1 - step]
                    : (random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-20, 20));
                row[j] = CsvTable.Format(value);
            }

            yield return row;
        }
    }

    /// <summary>Parses a number cell the way pandas reads the toolkit's CSVs.</summary>
    public static double ParseNumber(string text) => text switch
    {
        "nan" => double.NaN,
        "inf" => double.PositiveInfinity,
        "-inf" => double.NegativeInfinity,
        _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
    };

    /// <summary>Reads a whole CSV written by the toolkit (no quoted cells) as rows of cells.</summary>
    public static List<string[]> ReadSimpleCsv(string path) =>
        File.ReadAllLines(path).Where(line => line.Length > 0).Select(line => line.Split(',')).ToList();

    /// <summary>A Parquet file read back: its fields, every column as objects, and its row-group sizes.</summary>
    public sealed record Table(DataField[] Fields, Dictionary<string, List<object?>> Columns, List<long> RowGroups)
    {
        public int Rows => Columns.Count == 0 ? 0 : Columns.Values.First().Count;

        public DataField Field(string name) => Fields.Single(f => f.Name == name);

        /// <summary>The column's type as read, with text (read as memory of chars) as string.</summary>
        public Type TypeOf(string name) => Field(name).ClrType == typeof(ReadOnlyMemory<char>) ? typeof(string) : Field(name).ClrType;

        public List<object?> this[string name] => Columns[name];
    }

    public static async Task<Table> ReadParquet(string path)
    {
        await using var stream = File.OpenRead(path);
        await using var reader = await ParquetReader.CreateAsync(stream);
        DataField[] fields = reader.Schema.GetDataFields();
        var columns = fields.ToDictionary(f => f.Name, _ => new List<object?>());
        var groups = new List<long>();
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            var group = reader.OpenRowGroupReader(g);
            int n = checked((int)group.RowCount);
            groups.Add(n);
            foreach (DataField field in fields)
            {
                if (field.ClrType == typeof(string) || field.ClrType == typeof(ReadOnlyMemory<char>))
                {
                    var values = new string?[n];
                    await group.ReadAsync(field, values.AsMemory());
                    columns[field.Name].AddRange(values);
                }
                else if (field.ClrType == typeof(double))
                {
                    var values = new double?[n];
                    await group.ReadAsync<double>(field, values.AsMemory());
                    columns[field.Name].AddRange(values.Select(v => (object?)v));
                }
                else if (field.ClrType == typeof(bool))
                {
                    var values = new bool?[n];
                    await group.ReadAsync<bool>(field, values.AsMemory());
                    columns[field.Name].AddRange(values.Select(v => (object?)v));
                }
                else if (field.ClrType == typeof(ulong))
                {
                    var values = new ulong?[n];
                    await group.ReadAsync<ulong>(field, values.AsMemory());
                    columns[field.Name].AddRange(values.Select(v => (object?)v));
                }
                else
                {
                    throw new InvalidOperationException($"Unexpected column type {field.ClrType} of '{field.Name}'.");
                }
            }
        }

        return new Table(fields, columns, groups);
    }

    /// <summary>Whether two doubles are the same value bit for bit (every NaN equal to every NaN).</summary>
    public static bool SameDouble(double expected, double actual) =>
        double.IsNaN(expected) ? double.IsNaN(actual) : BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(actual);

    public static string Utf8(string path) => Encoding.UTF8.GetString(File.ReadAllBytes(path));
}
