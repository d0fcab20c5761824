namespace Sharpness.Web.Tests;

public sealed class ServeCommandTests
{
    [Theory]
    [InlineData(new[] { "serve", "--host", "0.0.0.0", "--port", "0" }, "error: --token: listening on 0.0.0.0, which is not a loopback address, needs a token")]
    [InlineData(new[] { "serve", "--host", "::", "--port", "0" }, "error: --token: listening on ::")]
    [InlineData(new[] { "serve", "--token", "short", "--port", "0" }, "error: --token: must be at least 16 characters")]
    [InlineData(new[] { "serve", "--host", "example.org", "--port", "0" }, "error: --host: expected an IP address")]
    [InlineData(new[] { "serve", "--port", "70000" }, "error: --port: must be a TCP port")]
    [InlineData(new[] { "serve", "--runs", "/nonexistent/folder/for/sure", "--port", "0" }, "error: --runs: '/nonexistent/folder/for/sure' is not an existing folder.")]
    public void InvalidOptionsExitWithCode2AndOneLine(string[] args, string expected)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exit = Sharpness.Cli.Program.Run(args, output, error);

        Assert.Equal(2, exit);
        string[] lines = error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith(expected, lines[0], StringComparison.Ordinal);
        Assert.Equal(string.Empty, output.ToString());
    }
}
