using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Http;

namespace Sharpness.Web.Assets;

/// <summary>
/// The page's files (index.html, app.js, app.css), built from Client/ during <c>dotnet build</c> and
/// embedded in the assembly as resources named <c>wwwroot/FILE</c>. They are served by exact name
/// only: no request ever reaches the file system through them.
/// </summary>
public sealed class EmbeddedAssets
{
    private const string Prefix = "wwwroot/";
    private const string TokenPlaceholder = "__SHARPNESS_TOKEN__";

    private readonly Dictionary<string, Asset> _assets = new(StringComparer.Ordinal);

    /// <summary>Loads the embedded files; the page receives <paramref name="postToken"/> inside its HTML.</summary>
    /// <param name="postToken">The token the page sends with every POST.</param>
    public EmbeddedAssets(string postToken)
    {
        var assembly = typeof(EmbeddedAssets).Assembly;
        foreach (string name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var memory = new MemoryStream();
            stream.CopyTo(memory);
            byte[] content = memory.ToArray();
            string file = name[Prefix.Length..];
            if (file == "index.html")
            {
                string html = Encoding.UTF8.GetString(content).Replace(TokenPlaceholder, HtmlEncoder.Default.Encode(postToken), StringComparison.Ordinal);
                content = Encoding.UTF8.GetBytes(html);
            }

            _assets["/" + file] = new Asset(content, ContentType(file), "\"" + Convert.ToHexString(SHA256.HashData(content))[..16] + "\"");
        }
    }

    /// <summary>Names of the files served (as URL paths).</summary>
    public IReadOnlyCollection<string> Paths => _assets.Keys;

    /// <summary>Answers a GET of one of the files, or returns false when <paramref name="path"/> is not one.</summary>
    /// <param name="context">The request.</param>
    /// <param name="path">The URL path ("/" is index.html).</param>
    public async Task<bool> TryServeAsync(HttpContext context, string path)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!_assets.TryGetValue(path == "/" ? "/index.html" : path, out var asset))
        {
            return false;
        }

        var response = context.Response;
        response.ContentType = asset.ContentType;
        response.Headers.ETag = asset.ETag;
        // The page carries the POST token: never cached. The scripts are cached and revalidated.
        response.Headers.CacheControl = asset.ContentType.StartsWith("text/html", StringComparison.Ordinal) ? "no-store" : "no-cache";
        if (context.Request.Headers.IfNoneMatch == asset.ETag)
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return true;
        }

        response.ContentLength = asset.Content.Length;
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await response.Body.WriteAsync(asset.Content, context.RequestAborted).ConfigureAwait(false);
        }

        return true;
    }

    /// <summary>The content type of a file, from its extension.</summary>
    /// <param name="file">File name.</param>
    public static string ContentType(string file) => Path.GetExtension(file).ToLowerInvariant() switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".json" => "application/json; charset=utf-8",
        ".csv" => "text/csv; charset=utf-8",
        ".md" or ".txt" or ".log" => "text/plain; charset=utf-8",
        ".png" => "image/png",
        ".svg" => "image/svg+xml",
        ".parquet" => "application/vnd.apache.parquet",
        _ => "application/octet-stream",
    };

    private sealed record Asset(byte[] Content, string ContentType, string ETag);
}
