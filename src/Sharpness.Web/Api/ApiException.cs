namespace Sharpness.Web.Api;

/// <summary>
/// A request the server refuses, with the HTTP status and a one-line message that names the parameter
/// as the client wrote it. The server answers it as <c>{"error": "message"}</c>, never with a stack trace.
/// </summary>
public sealed class ApiException : Exception
{
    /// <summary>Creates the refusal.</summary>
    /// <param name="status">HTTP status code (400 invalid parameter, 404 not found, 409 conflict, 429 too many).</param>
    /// <param name="message">One line, naming the parameter.</param>
    public ApiException(int status, string message)
        : base(message) => Status = status;

    /// <summary>HTTP status code of the answer.</summary>
    public int Status { get; }

    /// <summary>A 400 answer: an invalid parameter.</summary>
    /// <param name="message">One line naming the parameter.</param>
    public static ApiException BadRequest(string message) => new(400, message);

    /// <summary>A 404 answer. Paths outside the runs folder get this too, so their existence is not revealed.</summary>
    /// <param name="message">One line.</param>
    public static ApiException NotFound(string message = "not found") => new(404, message);
}
