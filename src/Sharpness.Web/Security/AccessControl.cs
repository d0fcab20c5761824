using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Sharpness.Web.Api;

namespace Sharpness.Web.Security;

/// <summary>
/// The checks every request passes before it reaches an endpoint:
/// <list type="number">
/// <item>on a loopback address without a token, the Host header must name a loopback host
/// (localhost, 127.0.0.1, [::1]): a web page that re-points its own domain name at 127.0.0.1
/// (DNS rebinding) is refused;</item>
/// <item>with a token, every request must carry it (header, bearer, cookie or query);</item>
/// <item>only GET, HEAD and POST are served, GET and HEAD never change anything, and every POST
/// must carry the POST token in the header <c>X-Sharpness-Token</c>.</item>
/// </list>
/// </summary>
public sealed class AccessControl
{
    /// <summary>Header carrying the token.</summary>
    public const string TokenHeader = "X-Sharpness-Token";

    /// <summary>Cookie the page receives after it was opened with a valid <c>?token=</c>.</summary>
    public const string TokenCookie = "sharpness_token";

    private readonly ExplorerOptions _options;
    private readonly byte[]? _token;
    private readonly byte[] _postToken;

    /// <summary>Creates the checks for a server's options.</summary>
    /// <param name="options">The server's options.</param>
    public AccessControl(ExplorerOptions options)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _token = options.Token is null ? null : Encoding.UTF8.GetBytes(options.Token);
        _postToken = Encoding.UTF8.GetBytes(options.PostToken);
    }

    /// <summary>Runs the checks; answers the request itself (and does not call <paramref name="next"/>) when one fails.</summary>
    /// <param name="context">The request.</param>
    /// <param name="next">The rest of the pipeline.</param>
    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var request = context.Request;
        if (!_options.TokenRequired && !IsLoopbackHostHeader(request.Host.Host))
        {
            throw new ApiException(400, "the Host header must name this machine (localhost, 127.0.0.1 or [::1]).");
        }

        if (_token is not null)
        {
            string? fromQuery = request.Query.TryGetValue(QueryParameters.TokenParameter, out var q) && q.Count == 1 ? q[0] : null;
            string? presented = HeaderToken(request) ?? fromQuery ?? request.Cookies[TokenCookie];
            if (!Matches(presented, _token))
            {
                throw new ApiException(401, "a valid token is required: open the address printed by 'sharpness serve' (it ends in ?token=...), or send the header X-Sharpness-Token.");
            }

            if (fromQuery is not null && HttpMethods.IsGet(request.Method))
            {
                context.Response.Cookies.Append(TokenCookie, fromQuery, new CookieOptions
                {
                    HttpOnly = true,
                    SameSite = SameSiteMode.Strict,
                    Path = "/",
                    IsEssential = true,
                });
            }
        }

        if (HttpMethods.IsPost(request.Method))
        {
            if (!Matches(request.Headers[TokenHeader].Count == 1 ? request.Headers[TokenHeader][0] : null, _postToken))
            {
                throw new ApiException(403, "a POST must carry the header X-Sharpness-Token (the page sends it; 'sharpness serve' prints it).");
            }
        }
        else if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
        {
            context.Response.Headers.Allow = "GET, HEAD, POST";
            throw new ApiException(405, $"method {QueryParameters.Short(request.Method)} not allowed: reading is GET, every change is a POST.");
        }

        await next(context).ConfigureAwait(false);
    }

    /// <summary>Whether a Host header names a loopback host.</summary>
    /// <param name="host">The host part of the Host header (without the port).</param>
    public static bool IsLoopbackHostHeader(string host) =>
        host.Length > 0 && ExplorerOptions.IsLoopbackHost(host);

    private static string? HeaderToken(HttpRequest request)
    {
        if (request.Headers[TokenHeader] is { Count: 1 } header)
        {
            return header[0];
        }

        string? authorization = request.Headers.Authorization.Count == 1 ? request.Headers.Authorization[0] : null;
        return authorization is not null && authorization.StartsWith("Bearer ", StringComparison.Ordinal) ? authorization["Bearer ".Length..] : null;
    }

    private static bool Matches(string? presented, byte[] expected) =>
        presented is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), expected);
}
