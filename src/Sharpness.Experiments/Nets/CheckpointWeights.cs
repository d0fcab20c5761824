using System.Security.Cryptography;
using Sharpness.Nets.Checkpoints;
using Sharpness.Nets.Models;
using Sharpness.Nets.Parameters;
using Sharpness.Runs.Safety;
using static TorchSharp.torch;

namespace Sharpness.Experiments.Nets;

/// <summary>
/// Loads the weights a run saved (model.safetensors) into a network rebuilt from its settings, checking every
/// parameter's name and shape first, and hashes a run's data file; errors name the option that pointed at the run.
/// </summary>
public static class CheckpointWeights
{
    /// <summary>Reads a checkpoint within the size limit of checkpoints.</summary>
    /// <param name="path">The safetensors file.</param>
    /// <param name="option">The option that named the run (e.g. <c>--run</c>).</param>
    /// <exception cref="InvalidOptionException">The file cannot be read within the limit.</exception>
    public static byte[] Read(string path, string option = "--run")
    {
        try
        {
            return BoundedFile.ReadAllBytes(path, FileKindLimit.Checkpoint);
        }
        catch (InputFileException e)
        {
            throw new InvalidOptionException(option, e.Message);
        }
    }

    /// <summary>Copies the checkpoint's tensors into <paramref name="model"/>'s parameters (by name, converted to their type).</summary>
    /// <param name="model">The rebuilt network.</param>
    /// <param name="content">The safetensors bytes.</param>
    /// <param name="path">The file, for the messages.</param>
    /// <param name="option">The option that named the run.</param>
    /// <exception cref="InvalidOptionException">The file is not safetensors, lacks a parameter, or holds one of another shape.</exception>
    public static void Load(NetworkModule model, byte[] content, string path, string option = "--run")
    {
        ArgumentNullException.ThrowIfNull(model);
        IReadOnlyList<SafetensorsEntry> entries;
        try
        {
            entries = Safetensors.ReadEntries(content);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidOptionException(option, $"'{path}': {e.Message}");
        }

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var (name, parameter) in ParameterVector.Ordered(model))
        {
            SafetensorsEntry entry = entries.FirstOrDefault(e => e.Name == name)
                ?? throw new InvalidOptionException(option, $"'{path}' has no tensor '{name}', a parameter of the rebuilt network.");
            if (!entry.Shape.SequenceEqual(parameter.shape))
            {
                throw new InvalidOptionException(option, $"'{path}': '{name}' has shape [{string.Join(", ", entry.Shape)}] but the rebuilt network's parameter has [{string.Join(", ", parameter.shape)}].");
            }

            parameter.copy_(entry.ToTensor().to(parameter.dtype));
        }
    }

    /// <summary>The SHA-256 of a file read as a stream within the limit of checkpoints (a pipe or a device is refused).</summary>
    /// <param name="path">The file.</param>
    /// <param name="option">The option that named the run.</param>
    /// <exception cref="InvalidOptionException">The file cannot be read within the limit.</exception>
    public static byte[] Sha256(string path, string option = "--run")
    {
        try
        {
            using var stream = BoundedFile.OpenRead(path, FileKindLimit.Checkpoint);
            return SHA256.HashData(stream);
        }
        catch (InputFileException e)
        {
            throw new InvalidOptionException(option, e.Message);
        }
    }
}
