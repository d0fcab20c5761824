using System.Net;
using System.Security.Cryptography;

namespace Sharpness.Web;

/// <summary>How <c>sharpness serve</c> runs: where the runs are, where it listens, and its access token.</summary>
public sealed record ExplorerOptions
{
    /// <summary>Shortest token accepted (characters).</summary>
    public const int MinTokenLength = 16;

    /// <summary>The only folder run data is read from (and live training writes to, under <c>live/</c>). Must exist.</summary>
    public required string RunsFolder { get; init; }

    /// <summary>Address to listen on: an IP address or <c>localhost</c> (default 127.0.0.1, loopback).</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>TCP port (default 8050; 0 lets the system choose one).</summary>
    public int Port { get; init; } = 8050;

    /// <summary>
    /// Access token. When set, every request must carry it (header <c>X-Sharpness-Token</c>,
    /// <c>Authorization: Bearer</c>, the cookie the page sets, or <c>?token=</c>). Required when
    /// <see cref="Host"/> is not a loopback address. Null on loopback: reading needs no token.
    /// </summary>
    public string? Token { get; init; }

    /// <summary>
    /// The token every state change (a POST) must carry in the header <c>X-Sharpness-Token</c>: the
    /// access token when there is one, else a random one made at start-up, which the page receives
    /// inside its HTML. Another web site open in the same browser can neither read it nor send a
    /// custom header without the server's consent, so it cannot start or cancel runs.
    /// </summary>
    public string PostToken { get; init; } = GenerateToken();

    /// <summary>Folder of Fashion-MNIST for the training form (default: Debian's /usr/share/datasets/fashion-mnist).</summary>
    public string? DataDirectory { get; init; }

    /// <summary>Bounds on requests.</summary>
    public ExplorerLimits Limits { get; init; } = new();

    /// <summary>Where the server reports errors it answered with HTTP 500, and other events worth a line (default: nowhere).</summary>
    public Action<string>? Log { get; init; }

    /// <summary>Whether every request must carry <see cref="Token"/>.</summary>
    public bool TokenRequired => Token is not null;

    /// <summary>Whether <see cref="Host"/> is a loopback address (127.0.0.0/8, ::1 or localhost).</summary>
    public bool IsLoopback => IsLoopbackHost(Host);

    /// <summary>A fresh random token: 32 bytes, base64url (43 characters).</summary>
    public static string GenerateToken() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Whether <paramref name="host"/> names a loopback address.</summary>
    /// <param name="host">An IP address or "localhost".</param>
    public static bool IsLoopbackHost(string host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));

    /// <summary>
    /// Checks the options; the exception's <see cref="ArgumentException.ParamName"/> is the option of
    /// <c>sharpness serve</c> at fault (<c>--runs</c>, <c>--host</c>, <c>--port</c> or <c>--token</c>).
    /// </summary>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(RunsFolder) || !Directory.Exists(RunsFolder))
        {
            throw new ArgumentException($"'{RunsFolder}' is not an existing folder.", "--runs");
        }

        if (!string.Equals(Host, "localhost", StringComparison.OrdinalIgnoreCase) && !IPAddress.TryParse(Host.Trim('[', ']'), out _))
        {
            throw new ArgumentException($"expected an IP address (such as 127.0.0.1, ::1 or 0.0.0.0) or localhost, got '{Host}'.", "--host");
        }

        if (Port is < 0 or > 65535)
        {
            throw new ArgumentException($"must be a TCP port in [0, 65535], got {Port}.", "--port");
        }

        if (Token is not null && (Token.Length < MinTokenLength || Token.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is ';' or ',')))
        {
            throw new ArgumentException($"must be at least {MinTokenLength} characters without spaces, commas or semicolons.", "--token");
        }

        if (!IsLoopback && Token is null)
        {
            throw new ArgumentException($"listening on {Host}, which is not a loopback address, needs a token: give --token VALUE, or --token alone to have one generated and printed.", "--token");
        }
    }
}
