using Sharpness.Core.Spectral;
using Sharpness.Nets.Data;
using Sharpness.Nets.Hessian;
using Sharpness.Nets.Models;
using static TorchSharp.torch;

namespace Sharpness.Experiments.Spectrum;

/// <summary>
/// What <see cref="SpectrumExperiment.Run"/> measures, on which model and data: the curvature of the mean training loss
/// at one point of parameter space. Every property has a default except the model and the data; <see cref="Validate"/>
/// checks them.
/// </summary>
/// <remarks>
/// The model is a TorchScript file (<see cref="TorchScriptFile"/>) or a network in memory (<see cref="Model"/>). The
/// data is a safetensors file (<see cref="DataFile"/>, tensors <see cref="InputsName"/> and <see cref="TargetsName"/>),
/// a dataset of the toolkit (<see cref="ImageDataset"/> or <see cref="SyntheticDataset"/>, training split) or examples
/// in memory (<see cref="Data"/>); exactly one of each is set.
/// </remarks>
public sealed record SpectrumOptions
{
    /// <summary>The TorchScript file of the model (<c>torch.jit.script(model).save(path)</c> or a traced module), or null when <see cref="Model"/> is given.</summary>
    public string? TorchScriptFile { get; init; }

    /// <summary>
    /// A model in memory instead of a file: any <see cref="NetworkModule"/> (one of the toolkit's networks, a loaded
    /// <see cref="Sharpness.Nets.Models.TorchScriptNetwork"/>). It is not modified or disposed; every product works on a copy in
    /// <see cref="Precision"/>. Its inputs are flat [B, d] examples of the data.
    /// </summary>
    public NetworkModule? Model { get; init; }

    /// <summary>A safetensors file holding the examples (see <see cref="ExampleFile"/>), or null when a toolkit dataset is used.</summary>
    public string? DataFile { get; init; }

    /// <summary>Name of the inputs tensor in <see cref="DataFile"/>. Default "inputs".</summary>
    public string InputsName { get; init; } = ExampleFile.DefaultInputsName;

    /// <summary>Name of the targets tensor in <see cref="DataFile"/>. Default "targets".</summary>
    public string TargetsName { get; init; } = ExampleFile.DefaultTargetsName;

    /// <summary>A toolkit image dataset (Fashion-MNIST, MNIST, CIFAR-10), training split; or null.</summary>
    public ImageDatasetOptions? ImageDataset { get; init; }

    /// <summary>A synthetic dataset of the toolkit, training split; or null.</summary>
    public SyntheticDataOptions? SyntheticDataset { get; init; }

    /// <summary>Examples in memory (targets and labels as the loss needs them); not modified or disposed; or null.</summary>
    public Dataset? Data { get; init; }

    /// <summary>
    /// The shape of one example as the module takes it, for example [1, 28, 28] or [784]. Default null: the data file's
    /// inputs shape without the batch dimension, or the dataset's image shape [C, H, W] (flat [d] for vector data).
    /// </summary>
    public IReadOnlyList<int>? InputShape { get; init; }

    /// <summary>The per-example loss and its convention (it rescales every eigenvalue). Default MSE summed over outputs (Cohen et al.).</summary>
    public LossFunction Loss { get; init; } = LossFunction.HalfSquaredError;

    /// <summary>Use only the first N examples, N ≥ 1. Default null: all examples of the data file (for toolkit datasets, their training count).</summary>
    public int? MeasureSize { get; init; }

    /// <summary>Float64 (default) or Float32: the type of the model copy, the data and every product.</summary>
    public ScalarType Precision { get; init; } = ScalarType.Float64;

    /// <summary>Examples per forward/backward pass of a product (memory only; the result is the full-batch curvature), ≥ 1. Default 1000.</summary>
    public int BatchSize { get; init; } = AutogradHessianOperator.DefaultBatchSize;

    /// <summary>Number of largest Hessian eigenvalues, ≥ 1 (capped at the parameter count). Default 1.</summary>
    public int TopK { get; init; } = 1;

    /// <summary>Number of smallest (most negative) Hessian eigenvalues, ≥ 0 (capped at the parameter count). Default 0.</summary>
    public int BottomK { get; init; }

    /// <summary>
    /// Lanczos stops when every wanted residual ‖Hv − λv‖ is at most this times the largest wanted |λ| (for the
    /// smallest eigenvalues: times the largest |λ| of the top ones, so eigenvalues near zero converge too). Default 1e-6.
    /// </summary>
    public double Tolerance { get; init; } = 1e-6;

    /// <summary>Products per Lanczos run (top, bottom and Gauss–Newton each), at most; ≥ 1. Default 1000.</summary>
    public int MaxMatvecs { get; init; } = 1000;

    /// <summary>Also the top eigenvalue of the Gauss–Newton matrix (the NTK's on the loss's scale). Default true.</summary>
    public bool GaussNewton { get; init; } = true;

    /// <summary>The Hutchinson trace estimate and its settings, or null (default) for none.</summary>
    public HutchinsonOptions? Trace { get; init; }

    /// <summary>The spectral density by stochastic Lanczos quadrature and its settings, or null (default) for none.</summary>
    public SlqOptions? Density { get; init; }

    /// <summary>Gaussian broadening σ &gt; 0 of the density. Default null: PyHessian's, √(10⁻⁵ · max(1, λ_max − λ_min)).</summary>
    public double? DensityBroadening { get; init; }

    /// <summary>Points of the density grid, ≥ 2 (evenly spaced from 6σ below the smallest node to 6σ above the largest). Default 10 000 (PyHessian's bin count).</summary>
    public int DensityPoints { get; init; } = 10_000;

    /// <summary>Seed of the Lanczos start vectors. Default 0. (The probes use <see cref="HutchinsonOptions.Seed"/> and <see cref="SlqOptions.Seed"/>.)</summary>
    public ulong Seed { get; init; }

    /// <summary>LibTorch intra-op threads, set process-wide; null leaves the setting alone. Default 1 (bit-identical results run to run).</summary>
    public int? Threads { get; init; } = 1;

    /// <summary>Checks every setting and throws on the first problem, naming the property.</summary>
    /// <exception cref="InvalidOptionException">A setting is missing or out of range; the option is named as the command line spells it.</exception>
    public void Validate()
    {
        if (string.IsNullOrEmpty(TorchScriptFile) == (Model is null))
        {
            throw new InvalidOptionException("--torchscript", Model is null
                ? "a model is required: the TorchScript file."
                : "give one model: a TorchScript file or a model in memory, not both.");
        }

        int sources = (DataFile is null ? 0 : 1) + (ImageDataset is null ? 0 : 1) + (SyntheticDataset is null ? 0 : 1) + (Data is null ? 0 : 1);
        if (sources != 1)
        {
            throw new InvalidOptionException("--data", sources == 0
                ? "data is required: a safetensors file with inputs and targets, or a dataset of the toolkit."
                : "give one data source: a data file or a dataset of the toolkit, not both.");
        }

        Require(!string.IsNullOrEmpty(InputsName), "--inputs-name", "the inputs tensor needs a name.");
        Require(!string.IsNullOrEmpty(TargetsName), "--targets-name", "the targets tensor needs a name.");
        Require(InputShape is null || (InputShape.Count > 0 && InputShape.All(d => d >= 1)), "--input-shape", "every dimension of the input shape must be at least 1.");
        Require(Loss is not null, "--loss", "a loss is required.");
        Require(MeasureSize is null or >= 1, "--measure-size", $"must be at least 1 (got {MeasureSize}).");
        Require(Precision is ScalarType.Float32 or ScalarType.Float64, "--dtype", $"products are computed in float32 or float64, not {Precision}.");
        Require(BatchSize >= 1, "--batch-size", $"must be at least 1 (got {BatchSize}).");
        Require(TopK >= 1, "--top-k", $"must be at least 1 (got {TopK}).");
        Require(BottomK >= 0, "--bottom-k", $"must be at least 0 (got {BottomK}).");
        Require(Tolerance > 0 && double.IsFinite(Tolerance), "--tolerance", $"must be positive and finite (got {Tolerance}).");
        Require(MaxMatvecs >= 1, "--max-matvecs", $"must be at least 1 (got {MaxMatvecs}).");
        Require(DensityBroadening is null || (DensityBroadening > 0 && double.IsFinite(DensityBroadening.Value)), "--density-sigma", $"must be positive and finite (got {DensityBroadening}).");
        Require(DensityPoints >= 2, "--density-points", $"must be at least 2 (got {DensityPoints}).");
        Require(Threads is null or >= 1, "--threads", $"must be at least 1 (got {Threads}).");
        try
        {
            Trace?.Validate();
            Density?.Validate();
        }
        catch (ArgumentOutOfRangeException e)
        {
            string option = e.ParamName switch
            {
                nameof(HutchinsonOptions.RelativeTolerance) => "--trace-tolerance",
                nameof(HutchinsonOptions.MinProbes) => "--trace-min-probes",
                nameof(HutchinsonOptions.MaxProbes) => "--trace-max-probes",
                nameof(SlqOptions.Probes) => "--density-probes",
                _ => "--density-steps",
            };
            throw new InvalidOptionException(option, e.Message.Split(" (Parameter", 2)[0]);
        }
    }

    private static void Require(bool condition, string option, string message)
    {
        if (!condition)
        {
            throw new InvalidOptionException(option, message);
        }
    }
}
