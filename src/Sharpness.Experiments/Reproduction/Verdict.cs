namespace Sharpness.Experiments.Reproduction;

/// <summary>What the measurement of a claim says about it.</summary>
public enum Verdict
{
    /// <summary>The measurement meets the claim's criterion.</summary>
    Reproduced,

    /// <summary>The measurement was made with enough data and misses the criterion.</summary>
    NotReproduced,

    /// <summary>
    /// The runs cannot decide the claim (too short, too few measurements, data missing, experiment
    /// skipped): no verdict either way, with the reason.
    /// </summary>
    NotDecided,
}

/// <summary>The words a verdict is written with in claims.json, report.md and index.html.</summary>
public static class VerdictText
{
    /// <summary>"reproduced".</summary>
    public const string Reproduced = "reproduced";

    /// <summary>"not reproduced".</summary>
    public const string NotReproduced = "not reproduced";

    /// <summary>"not decided".</summary>
    public const string NotDecided = "not decided";

    /// <summary>The verdict as written.</summary>
    /// <param name="verdict">The verdict.</param>
    public static string Of(Verdict verdict) => verdict switch
    {
        Verdict.Reproduced => Reproduced,
        Verdict.NotReproduced => NotReproduced,
        _ => NotDecided,
    };

    /// <summary>Reads a verdict as written; false for any other text.</summary>
    /// <param name="text">The text.</param>
    /// <param name="verdict">The verdict.</param>
    public static bool TryParse(string? text, out Verdict verdict)
    {
        (bool ok, verdict) = text switch
        {
            Reproduced => (true, Verdict.Reproduced),
            NotReproduced => (true, Verdict.NotReproduced),
            NotDecided => (true, Verdict.NotDecided),
            _ => (false, Verdict.NotDecided),
        };
        return ok;
    }
}
