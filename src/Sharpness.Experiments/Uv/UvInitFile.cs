using System.Text.Json;
using Sharpness.Runs.Safety;
using Sharpness.Uv.Model;

namespace Sharpness.Experiments.Uv;

/// <summary>
/// Reads explicit initial weights of the UV model from JSON: <c>{"u": [...], "v": [...]}</c> for
/// d = 1 (optionally <c>"x": value</c> or <c>"x": [value]</c>, default 1), or
/// <c>{"U": [[...], ...], "v": [...], "x": [...]}</c> in general (U has n rows of d entries).
/// </summary>
public static class UvInitFile
{
    /// <summary>The weights and input read from a file.</summary>
    /// <param name="Weights">U (n×d) and v.</param>
    /// <param name="Input">x (length d).</param>
    public sealed record Contents(UvInitialWeights Weights, double[] Input);

    /// <summary>Reads and checks the file.</summary>
    /// <param name="path">The file path.</param>
    /// <exception cref="InvalidOptionException">The file is missing, unreadable, not JSON, or has the wrong shape; the message says what was expected.</exception>
    public static Contents Read(string path)
    {
        const string Option = "--init-file";
        string text;
        try
        {
            text = BoundedFile.ReadAllText(path, FileKindLimit.InitialWeights);
        }
        catch (InputFileException e)
        {
            throw new InvalidOptionException(Option, e.Message);
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidOptionException(Option, $"'{path}' must hold a JSON object with \"v\" and \"u\" (d = 1) or \"U\" and \"x\".");
            }

            double[] v = Vector(root, "v", path) ?? throw new InvalidOptionException(Option, $"'{path}' has no \"v\" array.");
            bool hasLower = root.TryGetProperty("u", out _);
            bool hasUpper = root.TryGetProperty("U", out var upper);
            if (hasLower == hasUpper)
            {
                throw new InvalidOptionException(Option, $"'{path}' must have exactly one of \"u\" (a vector, for d = 1) and \"U\" (a matrix with one row per hidden unit).");
            }

            double[] x;
            double[,] u;
            if (hasLower)
            {
                double[] column = Vector(root, "u", path)!;
                x = root.TryGetProperty("x", out var xe) && xe.ValueKind == JsonValueKind.Number ? [xe.GetDouble()] : Vector(root, "x", path) ?? [1.0];
                if (x.Length != 1)
                {
                    throw new InvalidOptionException(Option, $"'{path}': with \"u\" (d = 1) the input \"x\" must have one component, got {x.Length}.");
                }

                u = new double[column.Length, 1];
                for (int i = 0; i < column.Length; i++)
                {
                    u[i, 0] = column[i];
                }
            }
            else
            {
                x = Vector(root, "x", path) ?? throw new InvalidOptionException(Option, $"'{path}': with \"U\" the input \"x\" is required.");
                u = Matrix(upper, x.Length, path);
            }

            if (u.GetLength(0) != v.Length)
            {
                throw new InvalidOptionException(Option, $"'{path}': U has {u.GetLength(0)} rows but v has {v.Length} entries; they must have the same length (the width).");
            }

            if (v.Length == 0)
            {
                throw new InvalidOptionException(Option, $"'{path}': the weights must have at least one hidden unit.");
            }

            return new Contents(new UvInitialWeights(u, v), x);
        }
        catch (JsonException e)
        {
            throw new InvalidOptionException(Option, $"'{path}' is not valid JSON: {e.Message}");
        }
    }

    private static double[]? Vector(JsonElement root, string name, string path)
    {
        if (!root.TryGetProperty(name, out var element))
        {
            return null;
        }

        if (element.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidOptionException("--init-file", $"'{path}': \"{name}\" must be an array of numbers.");
        }

        return element.EnumerateArray().Select((e, i) => Number(e, $"{name}[{i}]", path)).ToArray();
    }

    private static double[,] Matrix(JsonElement element, int columns, string path)
    {
        if (element.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidOptionException("--init-file", $"'{path}': \"U\" must be an array of rows.");
        }

        var rows = element.EnumerateArray().ToList();
        var matrix = new double[rows.Count, columns];
        for (int i = 0; i < rows.Count; i++)
        {
            if (rows[i].ValueKind != JsonValueKind.Array || rows[i].GetArrayLength() != columns)
            {
                throw new InvalidOptionException("--init-file", $"'{path}': row {i} of \"U\" must be an array of {columns} numbers (the length of x).");
            }

            int j = 0;
            foreach (var entry in rows[i].EnumerateArray())
            {
                matrix[i, j] = Number(entry, $"U[{i}][{j}]", path);
                j++;
            }
        }

        return matrix;
    }

    private static double Number(JsonElement element, string where, string path)
    {
        if (element.ValueKind != JsonValueKind.Number || !element.TryGetDouble(out double value) || !double.IsFinite(value))
        {
            throw new InvalidOptionException("--init-file", $"'{path}': {where} must be a finite number.");
        }

        return value;
    }
}
