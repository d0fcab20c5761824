namespace Sharpness.Nets.Models;

/// <summary>What is wrong with a TorchScript module the toolkit was asked to use.</summary>
public enum TorchScriptProblem
{
    /// <summary>The file is not a TorchScript archive LibTorch can load (for example a pickled state_dict, or a truncated file).</summary>
    NotTorchScript,

    /// <summary>The module needs a GPU (CUDA or another accelerator), and the toolkit runs on the CPU build of LibTorch.</summary>
    NeedsGpu,

    /// <summary>The module's forward failed on the data, or returns something other than one tensor of shape [B, k] or [B].</summary>
    Forward,

    /// <summary>The module's output does not fit the targets (another output count, or class indices beyond the outputs).</summary>
    OutputShape,

    /// <summary>The same input gave different outputs (dropout or another random operation in training mode).</summary>
    NotDeterministic,

    /// <summary>LibTorch cannot differentiate the module twice (an operation whose backward has no derivative of its own).</summary>
    NotTwiceDifferentiable,

    /// <summary>The module has no parameter that requires a gradient.</summary>
    NoParameters,
}

/// <summary>
/// A TorchScript module cannot be used: it does not load, needs a GPU, does not fit the data, is random, or cannot be
/// differentiated twice. The message is one sentence a user can act on; <see cref="Problem"/> says which case it is.
/// </summary>
public sealed class TorchScriptException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="problem">Which case it is.</param>
    /// <param name="message">One line: what is wrong and, where possible, what to do.</param>
    /// <param name="innerException">The LibTorch error behind it, if any.</param>
    public TorchScriptException(TorchScriptProblem problem, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Problem = problem;
    }

    /// <summary>Which case it is.</summary>
    public TorchScriptProblem Problem { get; }
}
