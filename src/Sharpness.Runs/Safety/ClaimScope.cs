namespace Sharpness.Runs.Safety;

/// <summary>A dry run reached the point where the command claims its output folder: its input is valid, and nothing was written.</summary>
public sealed class DryRunCompleteException() : Exception("The command's input is valid; a dry run stops before claiming the output folder.");

/// <summary>
/// The folders one invocation of a command claims (<see cref="RunDirectory.Create"/>,
/// <see cref="RunDirectory.Open"/>), released together when the scope ends: locks released, and a
/// folder the claim created that holds nothing but its lock file removed, so a command that fails
/// before writing leaves nothing behind. Scopes nest (a sweep's scope holds one per point).
/// </summary>
/// <remarks>
/// A dry-run scope (<see cref="Begin"/> with <c>dryRun: true</c>) validates without doing: the
/// first claim of an output folder throws <see cref="DryRunCompleteException"/>. Every command checks
/// all of its input before it claims its folder, so a dry run performs exactly the command's own
/// validation; <c>sweep run</c> uses it to check every point before the first one runs.
/// </remarks>
public sealed class ClaimScope : IDisposable
{
    private static readonly AsyncLocal<ClaimScope?> Active = new();

    private readonly ClaimScope? _parent;
    private readonly List<RunDirectory> _claims = [];
    private bool _disposed;

    private ClaimScope(bool dryRun, ClaimScope? parent)
    {
        DryRun = dryRun;
        _parent = parent;
    }

    /// <summary>The innermost scope of the current call, if any.</summary>
    public static ClaimScope? Current => Active.Value;

    /// <summary>Whether the scope validates only (see <see cref="ClaimScope"/>).</summary>
    public bool DryRun { get; }

    /// <summary>Starts a scope for the current call (until disposed).</summary>
    /// <param name="dryRun">Stop at the first claim with <see cref="DryRunCompleteException"/>.</param>
    public static ClaimScope Begin(bool dryRun = false)
    {
        var scope = new ClaimScope(dryRun, Active.Value);
        Active.Value = scope;
        return scope;
    }

    /// <summary>Releases every claim, newest first (see <see cref="RunDirectory.Abandon"/>), and ends the scope.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        for (int i = _claims.Count - 1; i >= 0; i--)
        {
            _claims[i].Abandon();
        }

        _claims.Clear();
        Active.Value = _parent;
    }

    /// <summary>Stops a dry run before a claim; registers a claim otherwise.</summary>
    internal static void BeforeClaim()
    {
        if (Active.Value is { DryRun: true })
        {
            throw new DryRunCompleteException();
        }
    }

    /// <summary>Adds a claim to the current scope, if any.</summary>
    internal static void Register(RunDirectory directory) => Active.Value?._claims.Add(directory);
}
