using System.CommandLine;
using Sharpness.Nets.Checkpoints;
using Sharpness.Nets.Data;
using static TorchSharp.torch;

namespace Sharpness.Cli.Commands;

/// <summary>
/// <c>sharpness net pack-data</c>: packs two NumPy arrays (.npy) into the safetensors data file that
/// <c>net spectrum --data</c> and <c>net train --data</c> read, for users without the safetensors package.
/// </summary>
public sealed class NetPackDataCommand
{
    private readonly Option<FileInfo> _inputs = new("--inputs") { Description = "The inputs, an .npy file (numpy.save) of shape [N, ...], floating point.", Required = true };
    private readonly Option<FileInfo> _targets = new("--targets") { Description = "The targets, an .npy file of shape [N] (class indices or values) or [N, k].", Required = true };
    private readonly Option<FileInfo> _out = new("--out") { Description = "The safetensors file to write (must not exist).", Required = true };
    private readonly Option<string> _inputsName = new("--inputs-name") { Description = "Name of the inputs tensor in the file.", DefaultValueFactory = _ => ExampleFile.DefaultInputsName };
    private readonly Option<string> _targetsName = new("--targets-name") { Description = "Name of the targets tensor in the file.", DefaultValueFactory = _ => ExampleFile.DefaultTargetsName };

    /// <summary>Builds the command.</summary>
    /// <param name="context">Writers and raw arguments.</param>
    public static Command Create(CliContext context)
    {
        var d = new NetPackDataCommand();
        var command = new Command("pack-data", "Pack inputs and targets saved with numpy.save (.npy) into the safetensors data file of net spectrum and net train.");
        foreach (Option option in new Option[] { d._inputs, d._targets, d._out, d._inputsName, d._targetsName })
        {
            command.Options.Add(option);
        }

        command.SetAction(parse => d.Execute(parse, context));
        return command;
    }

    private int Execute(ParseResult parse, CliContext context)
    {
        string output = parse.GetValue(_out)!.FullName;
        string inputsName = parse.GetValue(_inputsName)!, targetsName = parse.GetValue(_targetsName)!;
        if (Sharpness.Runs.Safety.FileEntry.Exists(output) || Sharpness.Runs.Safety.FileEntry.Exists(output + Sharpness.Runs.Safety.SafeFile.TemporarySuffix))
        {
            throw new UsageException("--out", $"'{output}' (or its temporary '{Path.GetFileName(output)}{Sharpness.Runs.Safety.SafeFile.TemporarySuffix}') exists; choose a new file name.");
        }

        if (!Sharpness.Runs.Safety.PathSegment.IsSafe(Path.GetFileName(output) + Sharpness.Runs.Safety.SafeFile.TemporarySuffix))
        {
            throw new UsageException("--out", $"'{Path.GetFileName(output)}' is not a usable file name (at most {Sharpness.Runs.Safety.PathSegment.MaxBytes} bytes with its temporary suffix, no control characters).");
        }

        if (inputsName.Length == 0 || targetsName.Length == 0 || inputsName == targetsName)
        {
            throw new UsageException("--targets-name", "the two tensors need two different, non-empty names.");
        }

        using var scope = NewDisposeScope();
        Tensor inputs = Read(parse.GetValue(_inputs)!.FullName, "--inputs");
        Tensor targets = Read(parse.GetValue(_targets)!.FullName, "--targets");
        if (inputs.dim() < 2 || inputs.shape[0] < 1 || !inputs.is_floating_point())
        {
            throw new UsageException("--inputs", $"expected a floating-point array [N, ...] with N ≥ 1, got {inputs.dtype} [{string.Join(", ", inputs.shape)}] (convert images first, e.g. images.astype(numpy.float32) / 255).");
        }

        if (targets.dim() is not (1 or 2) || targets.shape[0] != inputs.shape[0] || targets.dtype == ScalarType.Bool)
        {
            throw new UsageException("--targets", $"expected numbers of shape [{inputs.shape[0]}] or [{inputs.shape[0]}, k], got {targets.dtype} [{string.Join(", ", targets.shape)}].");
        }

        byte[] content = Safetensors.Serialise([(inputsName, inputs), (targetsName, targets)]);
        // Written to NAME.partial, created exclusively (never through a link), then renamed.
        string folder = Path.GetDirectoryName(output)!;
        if (!Directory.Exists(folder))
        {
            throw new UsageException("--out", $"'{folder}' is not an existing folder.");
        }

        Sharpness.Runs.Safety.SafeFile.WriteAtomic(folder, Path.GetFileName(output), stream => stream.Write(content));
        context.Output.WriteLine($"wrote {output}: '{inputsName}' {inputs.dtype} [{string.Join(", ", inputs.shape)}], '{targetsName}' {targets.dtype} [{string.Join(", ", targets.shape)}]");
        return ExitCodes.Success;
    }

    private static Tensor Read(string path, string option)
    {
        try
        {
            return NpyArray.Read(path);
        }
        catch (DatasetException e)
        {
            throw new UsageException(option, e.Message);
        }
    }
}
