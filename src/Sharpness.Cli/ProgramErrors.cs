using System.CommandLine;
using System.Globalization;
using System.Text;

namespace Sharpness.Cli;

/// <summary>The one-line error messages of the command line.</summary>
public static partial class Program
{
    /// <summary>Writes "error: MESSAGE" as one line (line breaks and control characters made visible) and returns <paramref name="code"/>.</summary>
    private static int Fail(TextWriter error, int code, string message)
    {
        error.WriteLine("error: " + OneLine(message));
        return code;
    }

    /// <summary>The text on one line: line breaks become spaces, other control characters and lone surrogates \uXXXX.</summary>
    internal static string OneLine(string text)
    {
        var line = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c is '\r' or '\n')
            {
                if (line.Length > 0 && line[^1] != ' ')
                {
                    line.Append(' ');
                }
            }
            else if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                line.Append(c).Append(text[++i]);
            }
            else if (char.IsControl(c) || char.IsSurrogate(c))
            {
                line.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            }
            else
            {
                line.Append(c);
            }
        }

        return line.ToString().TrimEnd();
    }

    private static string ParseErrorLine(ParseResult parsed)
    {
        string message = Readable(parsed.Errors[0].Message);
        const string Unrecognized = "Unrecognized command or argument '";
        if (message.StartsWith(Unrecognized, StringComparison.Ordinal) && message.EndsWith("'.", StringComparison.Ordinal))
        {
            string token = message[Unrecognized.Length..^2];
            if (token.StartsWith("--", StringComparison.Ordinal))
            {
                var options = parsed.CommandResult.Command.Options.Where(o => !o.Hidden).Select(o => o.Name).ToList();
                string? closest = Runs.Configuration.ConfigFile.ClosestMatch(token, options);
                return $"unknown option '{token}'" + (closest is null ? "." : $"; did you mean '{closest}'?");
            }

            return $"unexpected argument '{token}'.";
        }

        return message;
    }

    private static IEnumerable<string> CommandPath(Command command)
    {
        var names = new List<string>();
        for (Symbol? symbol = command; symbol is Command c and not RootCommand; symbol = c.Parents.FirstOrDefault())
        {
            names.Add(c.Name);
        }

        names.Reverse();
        return names;
    }

    // The parser names CLR types ("System.Nullable`1[System.Int32]"); users think in numbers.
    private static string Readable(string message) => ClrTypeName().Replace(message, match => (match.Groups["type"].Value) switch
    {
        "Int32" or "Int64" or "Int16" => "integer",
        "UInt64" or "UInt32" => "non-negative integer",
        "Double" or "Single" or "Decimal" => "number",
        "Boolean" => "true or false",
        "String" => "text",
        "IO.FileInfo" => "file path",
        "IO.DirectoryInfo" => "folder path",
        _ => "value",
    });

    [System.Text.RegularExpressions.GeneratedRegex(@"System\.Nullable`1\[System\.(?<type>[\w.]+)\]|System\.(?<type>[\w.]+)(\[\])?")]
    private static partial System.Text.RegularExpressions.Regex ClrTypeName();
}
