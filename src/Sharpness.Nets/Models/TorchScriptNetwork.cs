using System.Runtime.InteropServices;
using System.Security.Cryptography;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Sharpness.Nets.Models;

/// <summary>
/// A network exported from PyTorch as TorchScript (<c>torch.jit.script(model).save(path)</c> or
/// <c>torch.jit.trace(model, example).save(path)</c>), loaded into LibTorch and used like the toolkit's own models:
/// its trainable parameters are the Hessian's variables, and it trains, measures and checkpoints under the module's
/// own parameter names.
/// </summary>
/// <remarks>
/// <para>
/// The module always runs in evaluation mode (<c>module.eval()</c>), for training as well as for every measurement,
/// as PyHessian does: the loss is then a fixed function of the parameters, so the Hessian measured is the Hessian of
/// the loss being minimised. Batch norm uses the running statistics stored in the file and never updates them; dropout
/// is off. A traced module keeps the mode it was traced in, so it must be traced after <c>model.eval()</c>; a module
/// whose output still changes from one call to the next is refused (<see cref="TorchScriptProblem.NotDeterministic"/>).
/// </para>
/// <para>
/// Parameters: those of the module with <c>requires_grad</c> set, in the toolkit's order (ordinal order of the names,
/// as <see cref="Parameters.ParameterVector"/> uses). Parameters with <c>requires_grad</c> unset are constants, as in
/// PyHessian. Buffers (running statistics) are constants too; <see cref="StateTensors"/> lists parameters and buffers
/// together under the module's names, which is what PyTorch's <c>load_state_dict</c> expects.
/// </para>
/// <para>
/// Shapes: the module takes a batch [B, …<see cref="NetworkModule.InputShape"/>] (the shape of the data file's
/// <c>inputs</c> without its first dimension) and returns one tensor [B, k], or [B] (read as [B, 1]). As for every
/// <see cref="NetworkModule"/>, a flattened batch [B, d] is accepted too and reshaped. Everything is checked when the
/// module is loaded (<see cref="Load"/>): one forward pass on sample inputs, a second one to see that the output is
/// deterministic, and one Hessian-vector product to see that LibTorch can differentiate the module twice.
/// </para>
/// </remarks>
public sealed class TorchScriptNetwork : NetworkModule
{
    private readonly jit.ScriptModule _script;
    private readonly byte[] _content;
    private readonly int[] _inputShape;
    private readonly int _outputs;
    private readonly (string Name, Parameter Parameter)[] _trainable;
    private bool _disposed;

    private TorchScriptNetwork(jit.ScriptModule script, byte[] content, int[] inputShape, int outputs, string sha256, ScalarType dtype)
        : base(nameof(TorchScriptNetwork), dtype)
    {
        _script = script;
        _content = content;
        _inputShape = inputShape;
        _outputs = outputs;
        Sha256 = sha256;
        _trainable = script.named_parameters().Where(p => p.parameter.requires_grad).Select(p => (p.name, p.parameter)).ToArray();
    }

    /// <summary>The SHA-256 of the TorchScript file, lower-case hexadecimal (recorded in manifests).</summary>
    public string Sha256 { get; }

    /// <inheritdoc />
    public override int InputDimension => _inputShape.Aggregate(1, (a, b) => checked(a * b));

    /// <inheritdoc />
    public override int OutputDimension => _outputs;

    /// <summary>The shape of one example as the module takes it (the data's <c>inputs</c> shape without the batch dimension).</summary>
    public override IReadOnlyList<int> InputShape => _inputShape;

    /// <summary>
    /// Loads a TorchScript module from the content of its file, converts its floating-point parameters and buffers to
    /// <paramref name="dtype"/>, puts it in evaluation mode and checks it on <paramref name="sampleInputs"/>.
    /// </summary>
    /// <param name="content">The bytes of the file written by <c>torch.jit.save</c> (copied).</param>
    /// <param name="sampleInputs">A few inputs [n, …] (n ≥ 1) in the shape the module takes, any floating type: their shape per example becomes <see cref="NetworkModule.InputShape"/>.</param>
    /// <param name="dtype">Float32 or Float64.</param>
    /// <returns>The module, owning its LibTorch copy.</returns>
    /// <exception cref="TorchScriptException">
    /// The content is not TorchScript, the module needs a GPU, its forward fails or returns something other than one
    /// tensor [B, k] or [B], its output is random, it has no trainable parameter, or LibTorch cannot differentiate it twice.
    /// </exception>
    /// <exception cref="ArgumentException"><paramref name="sampleInputs"/> is not a floating-point batch of at least one example.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dtype"/> is not Float32 or Float64.</exception>
    public static TorchScriptNetwork Load(byte[] content, Tensor sampleInputs, ScalarType dtype)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(sampleInputs);
        if (sampleInputs.dim() < 2 || sampleInputs.shape[0] < 1 || !sampleInputs.is_floating_point())
        {
            throw new ArgumentException(
                $"Sample inputs must be a floating-point batch [n, ...] with n ≥ 1, got {sampleInputs.dtype} [{string.Join(", ", sampleInputs.shape)}].", nameof(sampleInputs));
        }

        if (dtype is not (ScalarType.Float32 or ScalarType.Float64))
        {
            throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Networks are float32 or float64.");
        }

        int[] inputShape = sampleInputs.shape.Skip(1).Select(d => checked((int)d)).ToArray();
        byte[] copy = (byte[])content.Clone();
        string sha256 = Convert.ToHexStringLower(SHA256.HashData(copy));
        jit.ScriptModule script = LoadScript(copy, dtype);
        try
        {
            using var scope = NewDisposeScope();
            Tensor sample = sampleInputs.detach().to(dtype);
            int outputs = ProbeOutputs(script, sample);
            var network = new TorchScriptNetwork(script, copy, inputShape, outputs, sha256, dtype);
            if (network._trainable.Length == 0)
            {
                throw new TorchScriptException(TorchScriptProblem.NoParameters, "the module has no parameter that requires a gradient, so there is no Hessian to measure.");
            }

            network.ProbeSecondDerivative(sample);
            return network;
        }
        catch
        {
            script.Dispose();
            throw;
        }
    }

    /// <summary>Outputs [B, k] for inputs [B, …<see cref="InputShape"/>] or [B, d] of <see cref="NetworkModule.DType"/>.</summary>
    /// <param name="input">A batch.</param>
    /// <exception cref="ArgumentException">Wrong shape or type.</exception>
    /// <exception cref="TorchScriptException">LibTorch reports an error in the module's forward.</exception>
    public override Tensor forward(Tensor input)
    {
        Tensor x = ToInputShape(input);
        Tensor output;
        try
        {
            output = (Tensor)_script.forward(x);
        }
        catch (ExternalException e)
        {
            throw new TorchScriptException(
                TorchScriptProblem.Forward, $"the module's forward failed on inputs of shape [{string.Join(", ", x.shape)}] ({FirstLine(e.Message)}).", e);
        }

        return output.dim() == 1 ? output.unsqueeze(1) : output;
    }

    /// <summary>The trainable parameters (requires_grad set) under the module's names.</summary>
    /// <param name="recurse">Ignored: the names are always the full dotted paths.</param>
    public override IEnumerable<(string name, Parameter parameter)> named_parameters(bool recurse = true) =>
        _trainable.Select(p => (p.Name, p.Parameter));

    /// <summary>
    /// Every tensor of the module's state under its name: all parameters (trainable or not) and all buffers, as
    /// PyTorch's <c>state_dict()</c> lists them, for a checkpoint that <c>load_state_dict</c> accepts.
    /// </summary>
    public IReadOnlyList<(string Name, Tensor Value)> StateTensors()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var state = new List<(string, Tensor)>();
        foreach (var (name, parameter) in _script.named_parameters())
        {
            state.Add((name, parameter));
        }

        foreach (var (name, buffer) in _script.named_buffers())
        {
            state.Add((name, buffer));
        }

        return state;
    }

    /// <summary>Writes the module with its current parameters as a TorchScript file (loadable with <c>torch.jit.load</c>).</summary>
    /// <param name="path">The file to write.</param>
    public void Save(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        ObjectDisposedException.ThrowIf(_disposed, this);
        jit.save(_script, path);
    }

    /// <inheritdoc />
    protected override NetworkModule CreateEmpty(ScalarType dtype)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new TorchScriptNetwork(LoadScript(_content, dtype), _content, _inputShape, _outputs, Sha256, dtype);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            _script.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>
    /// Turns off LibTorch's graph-executor optimisation (what <c>torch.jit.optimized_execution(False)</c> does in
    /// Python), once per process. With it on, the first calls of every loaded module profile and recompile its graph,
    /// which for the double backward of Hessian-vector products costs about a second per module copy and gains nothing
    /// measurable on the CPU afterwards; every measurement works on a fresh copy, so the cost would recur. TorchSharp
    /// has no binding for the switch, so it is called by its C++ name in libtorch_cpu; where that symbol is missing
    /// (another LibTorch build) the modules run with the optimisation, which changes speed only.
    /// </summary>
    private static readonly Lazy<bool> OptimisationOff = new(() =>
    {
        try
        {
            SetGraphExecutorOptimize(false);
            return true;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return false;
        }
    });

    /// <summary>Whether the graph-executor optimisation of TorchScript modules is off in this process (see <see cref="Load"/>).</summary>
    public static bool GraphOptimisationOff => OptimisationOff.Value;

    [DllImport("libtorch_cpu.so", EntryPoint = "_ZN5torch3jit24setGraphExecutorOptimizeEb")]
    private static extern void SetGraphExecutorOptimize([MarshalAs(UnmanagedType.U1)] bool on);

    private static jit.ScriptModule LoadScript(byte[] content, ScalarType dtype)
    {
        _ = OptimisationOff.Value;
        jit.ScriptModule script = LoadAsIs(Typed(content, dtype));
        try
        {
            script.eval();
            var wrong = script.named_parameters().Where(p => p.parameter.dtype != dtype).Select(p => p.name).ToArray();
            if (wrong.Length > 0)
            {
                throw new TorchScriptException(TorchScriptProblem.Forward, $"LibTorch could not convert the parameter(s) {string.Join(", ", wrong)} to {dtype}.");
            }

            // The wrappers TorchSharp made for the parameters and buffers belong to whatever dispose scope was open
            // while loading; the module owns them until it is disposed.
            foreach (var (_, parameter) in script.named_parameters())
            {
                parameter.DetachFromDisposeScope();
            }

            foreach (var (_, buffer) in script.named_buffers())
            {
                buffer.DetachFromDisposeScope();
            }

            return script;
        }
        catch
        {
            script.Dispose();
            throw;
        }
    }

    private static jit.ScriptModule LoadAsIs(byte[] content)
    {
        try
        {
            return jit.load(content, DeviceType.CPU);
        }
        catch (Exception e) when (e is ExternalException or InvalidOperationException or ArgumentException)
        {
            throw new TorchScriptException(
                TorchScriptProblem.NotTorchScript,
                $"not a TorchScript module ({FirstLine(e.Message)}); export one with torch.jit.script(model).save(path) or torch.jit.trace(model, example).save(path).",
                e);
        }
    }

    /// <summary>
    /// The module's file with its floating-point parameters and buffers in <paramref name="dtype"/> and everything else
    /// as it was: the content itself when nothing needs converting, else a converted copy, made once per content and
    /// type and kept for the process.
    /// </summary>
    /// <remarks>
    /// TorchSharp 0.107's <c>ScriptModule.to(dtype)</c> converts every tensor attribute, integer buffers included
    /// (batch norm's <c>num_batches_tracked</c>, a transformer's integer position ids), which would change the state a
    /// checkpoint saves and can break indexing in forward. So the module is converted once, its integer and boolean
    /// buffers are put back to their own types, and the result is saved; every copy is then loaded from those bytes
    /// without further conversion.
    /// </remarks>
    private static byte[] Typed(byte[] content, ScalarType dtype)
    {
        string key = Convert.ToHexStringLower(SHA256.HashData(content)) + "/" + dtype;
        lock (TypedContents)
        {
            if (TypedContents.TryGetValue(key, out byte[]? typed))
            {
                return typed;
            }
        }

        byte[] result;
        using (var scope = NewDisposeScope())
        using (jit.ScriptModule original = LoadAsIs(content))
        {
            var floating = original.named_parameters().Select(p => (Tensor)p.parameter).Concat(original.named_buffers().Select(b => b.buffer)).Where(t => t.is_floating_point()).ToArray();
            if (floating.All(t => t.dtype == dtype))
            {
                result = content;
            }
            else
            {
                var kept = original.named_buffers().Where(b => !b.buffer.is_floating_point()).ToDictionary(b => b.name, b => b.buffer.dtype, StringComparer.Ordinal);
                using jit.ScriptModule converted = LoadAsIs(content);
                try
                {
                    converted.to(dtype);
                    var modules = converted.named_modules().Append((name: string.Empty, module: (nn.Module)converted)).ToArray();
                    foreach (var (path, module) in modules)
                    {
                        // Entries past the module's tensor attributes come back empty (the native call sizes its
                        // array for every attribute, tensors or not); they are skipped.
                        foreach (var (name, value) in ((jit.ScriptModule)module).named_attributes(recurse: false).Where(a => a.name is not null && a.buffer is not null))
                        {
                            string full = path.Length == 0 ? name : path + "." + name;
                            if (kept.TryGetValue(full, out ScalarType type) && value.dtype != type)
                            {
                                ((jit.ScriptModule)module).set_attribute(name, value.to(type));
                            }
                        }
                    }
                }
                catch (Exception e) when (e is ExternalException or InvalidOperationException)
                {
                    throw new TorchScriptException(TorchScriptProblem.Forward, $"LibTorch could not convert the module to {dtype} ({FirstLine(e.Message)}).", e);
                }

                string temporary = Path.Combine(Path.GetTempPath(), $"sharpness-{Guid.NewGuid():N}.pt");
                try
                {
                    jit.save(converted, temporary);
                    result = File.ReadAllBytes(temporary);
                }
                finally
                {
                    File.Delete(temporary);
                }
            }
        }

        lock (TypedContents)
        {
            TypedContents[key] = result;
        }

        return result;
    }

    private static readonly Dictionary<string, byte[]> TypedContents = new(StringComparer.Ordinal);

    /// <summary>Runs forward twice on the sample and returns k, checking the output's type, shape and determinism.</summary>
    private static int ProbeOutputs(jit.ScriptModule script, Tensor sample)
    {
        using var noGrad = no_grad();
        Tensor first = Forward(script, sample);
        Tensor second = Forward(script, sample);
        if (!first.eq(second).logical_or(first.isnan().logical_and(second.isnan())).all().item<bool>())
        {
            throw new TorchScriptException(
                TorchScriptProblem.NotDeterministic,
                "the module's output changes from one call to the next on the same input (dropout or another random operation in training mode?); call model.eval() before torch.jit.trace, or remove the random operation.");
        }

        return first.dim() == 1 ? 1 : checked((int)first.shape[1]);
    }

    private static Tensor Forward(jit.ScriptModule script, Tensor sample)
    {
        object result;
        try
        {
            result = script.forward(sample);
        }
        catch (Exception e) when (e is ExternalException or InvalidOperationException or ArgumentException)
        {
            string message = FirstLine(e.Message);
            if (NeedsGpu(e.Message))
            {
                throw new TorchScriptException(
                    TorchScriptProblem.NeedsGpu,
                    $"the module needs a GPU ({message}); the toolkit runs on the CPU build of LibTorch: export the model without .cuda() or device='cuda' in its forward.",
                    e);
            }

            throw new TorchScriptException(
                TorchScriptProblem.Forward,
                $"the module's forward failed on inputs of shape [{string.Join(", ", sample.shape)}] ({message}).",
                e);
        }

        if (result is not Tensor output)
        {
            string kind = result switch
            {
                null => "nothing",
                Array array => $"a list of {array.Length} values",
                System.Runtime.CompilerServices.ITuple tuple => $"a tuple of {tuple.Length} values",
                _ => result.GetType().Name,
            };
            throw new TorchScriptException(TorchScriptProblem.Forward, $"the module's forward must return one tensor [B, k] or [B], but it returns {kind}.");
        }

        if (output.dim() is not (1 or 2) || output.shape[0] != sample.shape[0] || !output.is_floating_point() || (output.dim() == 2 && output.shape[1] < 1))
        {
            throw new TorchScriptException(
                TorchScriptProblem.OutputShape,
                $"the module's forward must return one floating-point tensor [B, k] or [B] for a batch of B = {sample.shape[0]} inputs, but it returns {output.dtype} [{string.Join(", ", output.shape)}].");
        }

        return output;
    }

    /// <summary>
    /// One Hessian-vector product of ½‖f‖² on the sample, so that a module LibTorch cannot differentiate twice is refused
    /// here with its reason.
    /// </summary>
    /// <remarks>
    /// The probe uses <c>autograd.backward</c>, whose native wrapper turns a LibTorch error into an exception.
    /// TorchSharp 0.107's <c>autograd.grad</c>, used by every product afterwards, has no such wrapper: an error inside
    /// it (for example "the derivative for '_cdist_backward' is not implemented") terminates the process, so it must
    /// not be reached with a module that fails here.
    /// </remarks>
    private void ProbeSecondDerivative(Tensor sample)
    {
        using var scope = NewDisposeScope();
        Tensor[] parameters = _trainable.Select(p => (Tensor)p.Parameter).ToArray();
        try
        {
            // First derivative, through the wrapper that reports errors: an operation without any backward, or a
            // parameter forward does not use (its gradient stays undefined), is found here.
            ClearGradients(parameters);
            autograd.backward([forward(sample).square().sum().mul(0.5)], inputs: parameters);
            string[] unused = Enumerable.Range(0, parameters.Length).Where(i => parameters[i].grad is null).Select(i => _trainable[i].Name).ToArray();
            ClearGradients(parameters);
            if (unused.Length > 0)
            {
                throw new TorchScriptException(
                    TorchScriptProblem.Forward,
                    $"the module's forward does not use the parameter(s) {string.Join(", ", unused)}; set requires_grad = False on them before exporting.");
            }

            // The gradient with its graph (now known to exist), then the derivative of its sum: the second
            // backward, again through the wrapper that reports errors.
            var gradient = autograd.grad([forward(sample).square().sum().mul(0.5)], parameters, retain_graph: true, create_graph: true);
            string[] constant = Enumerable.Range(0, parameters.Length).Where(i => !gradient[i].requires_grad).Select(i => _trainable[i].Name).ToArray();
            if (constant.Length > 0)
            {
                throw new TorchScriptException(
                    TorchScriptProblem.NotTwiceDifferentiable,
                    $"the gradient with respect to {string.Join(", ", constant)} does not depend on the parameters, which LibTorch's Hessian-vector products cannot handle; set requires_grad = False on them before exporting.");
            }

            autograd.backward([gradient.Select(g => g.sum()).Aggregate((a, b) => a.add(b))], inputs: parameters);
        }
        catch (Exception e) when (e is ExternalException or InvalidOperationException)
        {
            throw new TorchScriptException(
                TorchScriptProblem.NotTwiceDifferentiable,
                $"LibTorch cannot differentiate the module twice, which Hessian-vector products need ({FirstLine(e.Message)}).",
                e);
        }
        finally
        {
            ClearGradients(parameters);
        }
    }

    private static void ClearGradients(Tensor[] parameters)
    {
        foreach (Tensor p in parameters)
        {
            p.grad = null;
        }
    }

    private static bool NeedsGpu(string message) =>
        message.Contains("CUDA", StringComparison.OrdinalIgnoreCase)
        || message.Contains("cuda", StringComparison.Ordinal)
        || message.Contains("MPS", StringComparison.Ordinal)
        || message.Contains("XPU", StringComparison.Ordinal);

    /// <summary>
    /// The informative line of a LibTorch error: for an error in the TorchScript interpreter (whose first line only
    /// says so) the last "...Error: ..." line, cut at its first sentence; otherwise the first line.
    /// </summary>
    private static string FirstLine(string message)
    {
        string[] lines = message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        string? error = lines.LastOrDefault(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^\w*(Error|Exception): "));
        if (error is not null)
        {
            int sentence = error.IndexOf(". ", StringComparison.Ordinal);
            return Shorten(sentence > 0 ? error[..(sentence + 1)] : error);
        }

        return Shorten(lines.FirstOrDefault() ?? message);
    }

    private static string Shorten(string line) => line.Length > 300 ? line[..300] + "…" : line;
}
