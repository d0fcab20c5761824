using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Sharpness.Web.Api;

/// <summary>
/// The query string of one request, read against the parameters an endpoint accepts. Every refusal
/// is an <see cref="ApiException"/> (HTTP 400) whose one-line message names the parameter: an
/// unknown or repeated parameter, text that is not a number, a non-finite number, a value out of range.
/// </summary>
public sealed class QueryParameters
{
    /// <summary>The parameter every endpoint accepts: the access token (see the security section of docs/explorer.md).</summary>
    public const string TokenParameter = "token";

    private readonly IQueryCollection _query;

    /// <summary>Reads the query of <paramref name="request"/>, refusing parameters not in <paramref name="accepted"/>.</summary>
    /// <param name="request">The request.</param>
    /// <param name="accepted">The names the endpoint accepts (besides <see cref="TokenParameter"/>).</param>
    public QueryParameters(HttpRequest request, params string[] accepted)
    {
        ArgumentNullException.ThrowIfNull(request);
        _query = request.Query;
        foreach (var (key, values) in _query)
        {
            if (key != TokenParameter && !accepted.Contains(key, StringComparer.Ordinal))
            {
                string expected = accepted.Length == 0 ? "none" : string.Join(", ", accepted);
                throw ApiException.BadRequest($"{Short(key)}: unknown parameter (this endpoint takes: {expected}).");
            }

            if (values.Count > 1)
            {
                throw ApiException.BadRequest($"{key}: given {values.Count} times; give it once.");
            }
        }
    }

    /// <summary>Whether the parameter is present.</summary>
    /// <param name="name">Parameter name.</param>
    public bool Has(string name) => _query.ContainsKey(name);

    /// <summary>A finite number in [<paramref name="min"/>, <paramref name="max"/>], or <paramref name="fallback"/> when absent.</summary>
    /// <param name="name">Parameter name.</param>
    /// <param name="fallback">Value when absent.</param>
    /// <param name="min">Smallest accepted value.</param>
    /// <param name="max">Largest accepted value.</param>
    public double Number(string name, double fallback, double min = double.MinValue, double max = double.MaxValue) =>
        OptionalNumber(name, min, max) ?? fallback;

    /// <summary>A finite number in [<paramref name="min"/>, <paramref name="max"/>], or null when absent.</summary>
    /// <param name="name">Parameter name.</param>
    /// <param name="min">Smallest accepted value.</param>
    /// <param name="max">Largest accepted value.</param>
    public double? OptionalNumber(string name, double min = double.MinValue, double max = double.MaxValue)
    {
        if (Text(name) is not { } text)
        {
            return null;
        }

        return ParseNumber(name, text, min, max);
    }

    /// <summary>An integer in [<paramref name="min"/>, <paramref name="max"/>], or <paramref name="fallback"/> when absent.</summary>
    /// <param name="name">Parameter name.</param>
    /// <param name="fallback">Value when absent.</param>
    /// <param name="min">Smallest accepted value.</param>
    /// <param name="max">Largest accepted value.</param>
    public int Integer(string name, int fallback, int min, int max)
    {
        if (Text(name) is not { } text)
        {
            return fallback;
        }

        return ParseInteger(name, text, min, max);
    }

    /// <summary>One of <paramref name="choices"/> (compared exactly), or <paramref name="fallback"/> when absent.</summary>
    /// <param name="name">Parameter name.</param>
    /// <param name="fallback">Value when absent.</param>
    /// <param name="choices">Accepted values.</param>
    public string Choice(string name, string fallback, params string[] choices)
    {
        if (Text(name) is not { } text)
        {
            return fallback;
        }

        return choices.Contains(text, StringComparer.Ordinal)
            ? text
            : throw ApiException.BadRequest($"{name}: expected {string.Join(" or ", choices)}, got '{Short(text)}'.");
    }

    /// <summary>The raw text of a parameter, or null when absent.</summary>
    /// <param name="name">Parameter name.</param>
    public string? Text(string name) => _query.TryGetValue(name, out var values) && values.Count == 1 ? values[0] : null;

    /// <summary>A required parameter's raw text.</summary>
    /// <param name="name">Parameter name.</param>
    public string Required(string name) =>
        Text(name) is { Length: > 0 } text ? text : throw ApiException.BadRequest($"{name}: required.");

    /// <summary>Parses a finite number in a range, naming the parameter in the refusal.</summary>
    /// <param name="name">Parameter name.</param>
    /// <param name="text">Its text.</param>
    /// <param name="min">Smallest accepted value.</param>
    /// <param name="max">Largest accepted value.</param>
    public static double ParseNumber(string name, string text, double min = double.MinValue, double max = double.MaxValue)
    {
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
        {
            throw ApiException.BadRequest($"{name}: expected a number, got '{Short(text)}'.");
        }

        if (!double.IsFinite(value))
        {
            throw ApiException.BadRequest($"{name}: must be finite, got '{Short(text)}'.");
        }

        if (value < min || value > max)
        {
            throw ApiException.BadRequest($"{name}: must lie in [{Format(min)}, {Format(max)}], got {Format(value)}.");
        }

        return value;
    }

    /// <summary>Parses an integer in a range, naming the parameter in the refusal.</summary>
    /// <param name="name">Parameter name.</param>
    /// <param name="text">Its text.</param>
    /// <param name="min">Smallest accepted value.</param>
    /// <param name="max">Largest accepted value.</param>
    public static int ParseInteger(string name, string text, int min, int max)
    {
        if (!long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long value))
        {
            throw ApiException.BadRequest($"{name}: expected an integer, got '{Short(text)}'.");
        }

        if (value < min || value > max)
        {
            throw ApiException.BadRequest($"{name}: must be an integer in [{min.ToString(CultureInfo.InvariantCulture)}, {max.ToString(CultureInfo.InvariantCulture)}], got {value.ToString(CultureInfo.InvariantCulture)}.");
        }

        return (int)value;
    }

    /// <summary>A number as the messages print it.</summary>
    /// <param name="value">The number.</param>
    public static string Format(double value) => value.ToString("G10", CultureInfo.InvariantCulture);

    // Echoed text is cut short and stripped of control characters: the message stays one line.
    internal static string Short(string text)
    {
        string clean = new(text.Select(c => char.IsControl(c) ? '?' : c).Take(40).ToArray());
        return text.Length > 40 ? clean + "..." : clean;
    }
}
