using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Sharpness.Web;

namespace Sharpness.Cli.Commands;

/// <summary>
/// <c>sharpness serve</c>: the explorer in the browser (docs/explorer.md): the UV dynamics, the runs under
/// <c>--runs</c> and live training, served on loopback by default.
/// </summary>
public sealed class ServeCommand
{
    private readonly Option<DirectoryInfo> _runs = new("--runs") { Description = "The only folder run data are read from (and live training writes to, under live/).", DefaultValueFactory = _ => new DirectoryInfo(".") };
    private readonly Option<string> _host = new("--host") { Description = "Address to listen on: an IP address or localhost. Anything but loopback needs --token.", DefaultValueFactory = _ => "127.0.0.1" };
    private readonly Option<int> _port = new("--port") { Description = "TCP port (0: any free port).", DefaultValueFactory = _ => 8050 };
    private readonly Option<string?> _token = new("--token") { Description = "Access token every request must carry (at least 16 characters); --token alone generates one and prints it.", Arity = ArgumentArity.ZeroOrOne };
    private readonly Option<DirectoryInfo?> _dataDir = new("--data-dir") { Description = "Fashion-MNIST folder for the live-training form. Default: /usr/share/datasets/fashion-mnist." };

    /// <summary>Builds the command.</summary>
    /// <param name="context">Writers and raw arguments.</param>
    public static Command Create(CliContext context)
    {
        var definition = new ServeCommand();
        var command = new Command("serve", "Serve the explorer in the browser: UV dynamics, the runs on disk and live training (loopback by default; Ctrl-C stops).");
        foreach (Option option in new Option[] { definition._runs, definition._host, definition._port, definition._token, definition._dataDir })
        {
            command.Options.Add(option);
        }

        command.SetAction(parse => definition.Execute(parse, context));
        return command;
    }

    private int Execute(ParseResult parse, CliContext context)
    {
        bool tokenGiven = parse.GetResult(_token) is { Implicit: false };
        string? token = parse.GetValue(_token);
        bool generated = tokenGiven && string.IsNullOrEmpty(token);
        var options = new ExplorerOptions
        {
            RunsFolder = parse.GetValue(_runs)!.FullName,
            Host = parse.GetValue(_host)!,
            Port = parse.GetValue(_port),
            Token = generated ? ExplorerOptions.GenerateToken() : token,
            DataDirectory = parse.GetValue(_dataDir)?.FullName,
            Log = line => context.Error.WriteLine(line),
        };
        Microsoft.AspNetCore.Builder.WebApplication app;
        try
        {
            app = ExplorerServer.Build(options);
        }
        catch (ArgumentException e) when (e.ParamName?.StartsWith("--", StringComparison.Ordinal) == true)
        {
            throw new UsageException(e.ParamName, e.Message.Split(" (Parameter", 2)[0]);
        }

        try
        {
            app.StartAsync().GetAwaiter().GetResult();
        }
        catch (IOException e)
        {
            throw new UsageException("--port", $"cannot listen on {options.Host}:{options.Port}: {e.Message.Split('\n')[0]}");
        }

        string address = ExplorerServer.Address(app);
        context.Output.WriteLine($"sharpness serve: {address}");
        context.Output.WriteLine($"runs from {Path.GetFullPath(options.RunsFolder)}; Ctrl-C stops the server.");
        if (options.Token is null)
        {
            context.Output.WriteLine($"token for POST requests (header X-Sharpness-Token; the page has it): {app.Services.GetRequiredService<ExplorerOptions>().PostToken}");
        }
        else if (generated)
        {
            context.Output.WriteLine($"token (generated): {options.Token}");
        }

        context.Output.Flush();
        app.WaitForShutdownAsync().GetAwaiter().GetResult();
        app.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return ExitCodes.Success;
    }
}
