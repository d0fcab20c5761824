using System.Security.Cryptography;
using Sharpness.Nets.Checkpoints;
using Sharpness.Nets.Hessian;
using static TorchSharp.torch;

namespace Sharpness.Nets.Data;

/// <summary>
/// Examples brought by the user in a safetensors file: a tensor of inputs [N, …] and a tensor of targets for the same
/// N examples, under names chosen by the user ("inputs" and "targets" by default).
/// </summary>
/// <remarks>
/// <para>
/// Inputs: any floating-point type (F64, F32, F16, BF16), any shape [N, …] with N ≥ 1; kept in float64 in their
/// shape, and handed to models flattened to [N, d] (the layout of every toolkit model; a
/// <see cref="Models.TorchScriptNetwork"/> restores the shape). Integer inputs (token ids, raw bytes) are refused,
/// because every model of the toolkit takes floating-point inputs.
/// </para>
/// <para>
/// Targets, turned into a <see cref="Dataset"/> for a model with k outputs by <see cref="ToDataset"/>: integer class
/// indices [N] in [0, k) (one-hot rows for the squared-error losses); floating-point rows [N, k] (one-hot rows count as
/// class labels too, so they serve cross-entropy and accuracy; other rows are regression targets); or floating-point
/// values [N] for a single output (k = 1).
/// </para>
/// </remarks>
public sealed class ExampleFile : IDisposable
{
    /// <summary>The default name of the inputs tensor.</summary>
    public const string DefaultInputsName = "inputs";

    /// <summary>The default name of the targets tensor.</summary>
    public const string DefaultTargetsName = "targets";

    private bool _disposed;

    private ExampleFile(string path, string sha256, Tensor inputs, Tensor targets)
    {
        Path = path;
        Sha256 = sha256;
        Inputs = inputs;
        Targets = targets;
    }

    /// <summary>The file's full path.</summary>
    public string Path { get; }

    /// <summary>The SHA-256 of the file, lower-case hexadecimal.</summary>
    public string Sha256 { get; }

    /// <summary>The inputs in float64, in the file's shape [N, …].</summary>
    public Tensor Inputs { get; }

    /// <summary>The targets as stored: float64 for floating-point targets, int64 for integer ones.</summary>
    public Tensor Targets { get; }

    /// <summary>Number of examples N.</summary>
    public int Count => checked((int)Inputs.shape[0]);

    /// <summary>Reads the two named tensors of a safetensors file.</summary>
    /// <param name="path">The file.</param>
    /// <param name="inputsName">The name of the inputs tensor.</param>
    /// <param name="targetsName">The name of the targets tensor.</param>
    /// <exception cref="DatasetException">
    /// The file cannot be read, is not a safetensors file, lacks a named tensor, or the tensors do not fit together;
    /// the message names the file and what was found.
    /// </exception>
    public static ExampleFile Load(string path, string inputsName = DefaultInputsName, string targetsName = DefaultTargetsName)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(inputsName);
        ArgumentNullException.ThrowIfNull(targetsName);
        string full = System.IO.Path.GetFullPath(path);
        byte[] content = FileBytes.Read(full);

        IReadOnlyList<SafetensorsEntry> entries;
        try
        {
            entries = Safetensors.ReadEntries(content);
        }
        catch (InvalidDataException e)
        {
            throw new DatasetException(full, $"is not a safetensors file with tensors '{inputsName}' and '{targetsName}': {e.Message}", e);
        }

        SafetensorsEntry Find(string name) => entries.FirstOrDefault(e => e.Name == name)
            ?? throw new DatasetException(
                full,
                $"has no tensor named '{name}' (it has {(entries.Count == 0 ? "none" : string.Join(", ", entries.Select(e => $"'{e.Name}'")))}); save the data as tensors '{inputsName}' and '{targetsName}'.");

        SafetensorsEntry inputs = Find(inputsName);
        SafetensorsEntry targets = Find(targetsName);
        if (inputs.Shape.Length < 2 || inputs.Shape[0] < 1 || inputs.Shape.Skip(1).Any(d => d < 1))
        {
            throw new DatasetException(full, $"tensor '{inputsName}' must have shape [N, ...] with N ≥ 1 examples and at least one feature, got [{string.Join(", ", inputs.Shape)}].");
        }

        if (inputs.DType is not ("F64" or "F32" or "F16" or "BF16"))
        {
            throw new DatasetException(full, $"tensor '{inputsName}' has type {inputs.DType}; inputs must be floating point (F64, F32, F16 or BF16).");
        }

        if (targets.Shape.Length is not (1 or 2) || targets.Shape[0] != inputs.Shape[0] || (targets.Shape.Length == 2 && targets.Shape[1] < 1))
        {
            throw new DatasetException(
                full,
                $"tensor '{targetsName}' must have shape [{inputs.Shape[0]}] or [{inputs.Shape[0]}, k] (one row per input), got [{string.Join(", ", targets.Shape)}].");
        }

        if (targets.DType == "BOOL")
        {
            throw new DatasetException(full, $"tensor '{targetsName}' has type BOOL; targets must be numbers (class indices or values).");
        }

        using var scope = NewDisposeScope();
        Tensor inputTensor = inputs.ToTensor().to(ScalarType.Float64);
        Tensor targetTensor = targets.ToTensor();
        targetTensor = targetTensor.is_floating_point() ? targetTensor.to(ScalarType.Float64) : targetTensor.to(ScalarType.Int64);
        if (!inputTensor.isfinite().all().item<bool>())
        {
            throw new DatasetException(full, $"tensor '{inputsName}' contains NaN or infinite values.");
        }

        if (targetTensor.is_floating_point() && !targetTensor.isfinite().all().item<bool>())
        {
            throw new DatasetException(full, $"tensor '{targetsName}' contains NaN or infinite values.");
        }

        return new ExampleFile(full, Convert.ToHexStringLower(SHA256.HashData(content)), inputTensor.DetachFromDisposeScope(), targetTensor.DetachFromDisposeScope());
    }

    /// <summary>
    /// The first <paramref name="count"/> examples as a <see cref="Dataset"/> for a model with
    /// <paramref name="outputs"/> outputs: inputs flattened to [n, d] in <paramref name="dtype"/>, targets [n, k]
    /// (one-hot rows for class indices), and class labels when the targets are classes.
    /// </summary>
    /// <param name="outputs">The model's output count k ≥ 1.</param>
    /// <param name="dtype">Float32 or Float64.</param>
    /// <param name="count">Examples to take from the start (capped at N); null for all.</param>
    /// <returns>A new dataset (the caller disposes it).</returns>
    /// <exception cref="ArgumentException">The targets do not fit k outputs (parameter name "outputs"); the message says how.</exception>
    public Dataset ToDataset(int outputs, ScalarType dtype, int? count = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfLessThan(outputs, 1);
        int n = Math.Min(count ?? Count, Count);
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1, nameof(count));
        string file = System.IO.Path.GetFileName(Path);
        using var scope = NewDisposeScope();
        Tensor inputs = Inputs.narrow(0, 0, n).reshape(n, -1).to(dtype);
        Tensor targets = Targets.narrow(0, 0, n);
        Tensor rows;
        Tensor? labels = null;
        if (!targets.is_floating_point())
        {
            if (targets.dim() != 1)
            {
                throw new ArgumentException($"the integer targets in {file} have shape [{string.Join(", ", Targets.shape)}]; class indices must be one number per example [N].", nameof(outputs));
            }

            long min = targets.min().item<long>();
            long max = targets.max().item<long>();
            if (min < 0 || max >= outputs)
            {
                throw new ArgumentException($"the model has {outputs} output(s) but the class indices in {file} range over [{min}, {max}]; they must lie in [0, {outputs}).", nameof(outputs));
            }

            labels = targets;
            rows = nn.functional.one_hot(targets, outputs).to(dtype);
        }
        else
        {
            rows = targets.dim() == 1 ? targets.unsqueeze(1) : targets;
            if (rows.shape[1] != outputs)
            {
                throw new ArgumentException(
                    $"the model has {outputs} output(s) per example but the targets in {file} have {rows.shape[1]} value(s) per example (shape [{string.Join(", ", Targets.shape)}]).",
                    nameof(outputs));
            }

            rows = rows.to(dtype);
            if (outputs >= 2 && IsOneHot(rows))
            {
                labels = rows.argmax(1);
            }
        }

        return new Dataset(file, inputs, rows, labels);
    }

    /// <summary>Releases the tensors.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Inputs.Dispose();
        Targets.Dispose();
    }

    private static bool IsOneHot(Tensor rows)
    {
        using var scope = NewDisposeScope();
        bool binary = rows.eq(0).logical_or(rows.eq(1)).all().item<bool>();
        return binary && rows.sum(1).eq(1).all().item<bool>();
    }
}
