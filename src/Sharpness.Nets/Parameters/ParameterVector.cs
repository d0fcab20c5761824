using TorchSharp;
using TorchSharp.Modules;
using Sharpness.Nets.Tensors;
using static TorchSharp.torch;

namespace Sharpness.Nets.Parameters;

/// <summary>
/// The parameters of a module as one flat vector θ of doubles: parameters in ordinal order of
/// their names (e.g. "layers.0.bias" &lt; "layers.0.weight" &lt; "layers.1.bias"), each flattened
/// row-major. The same order is used by <see cref="Hessian.AutogradHessianOperator"/>, so its
/// vectors are laid out like θ. Float32 parameters are widened to double exactly; writing rounds
/// to the parameter's type.
/// </summary>
public static class ParameterVector
{
    /// <summary>The module's parameters (recursively) sorted by name with ordinal comparison.</summary>
    /// <param name="module">Any module.</param>
    public static IReadOnlyList<(string Name, Parameter Parameter)> Ordered(nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        return module.named_parameters().OrderBy(p => p.name, StringComparer.Ordinal).ToList();
    }

    /// <summary>Number of scalar parameters P (the length of θ).</summary>
    /// <param name="module">Any module.</param>
    /// <exception cref="OverflowException">P does not fit in an int.</exception>
    public static int Count(nn.Module module) => checked((int)Ordered(module).Sum(p => p.Parameter.numel()));

    /// <summary>θ as a new array of length <see cref="Count"/>.</summary>
    /// <param name="module">Any module.</param>
    public static double[] Flatten(nn.Module module)
    {
        var result = new double[Count(module)];
        Flatten(module, result);
        return result;
    }

    /// <summary>Writes θ into <paramref name="destination"/>.</summary>
    /// <param name="module">Any module.</param>
    /// <param name="destination">Length exactly <see cref="Count"/>.</param>
    /// <exception cref="ArgumentException">Wrong length.</exception>
    public static void Flatten(nn.Module module, Span<double> destination)
    {
        var parameters = Ordered(module);
        RequireLength(parameters, destination.Length, nameof(destination));
        FlatVectors.CopyTo(parameters.Select(p => (Tensor)p.Parameter).ToArray(), destination);
    }

    /// <summary>Overwrites every parameter from θ (without recording gradients).</summary>
    /// <param name="module">Any module.</param>
    /// <param name="source">θ, length exactly <see cref="Count"/>.</param>
    /// <exception cref="ArgumentException">Wrong length.</exception>
    public static void Unflatten(nn.Module module, ReadOnlySpan<double> source)
    {
        var parameters = Ordered(module);
        RequireLength(parameters, source.Length, nameof(source));
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        Tensor[] values = FlatVectors.Split(source, parameters.Select(p => (Tensor)p.Parameter).ToArray(), ScalarType.Float64);
        for (int i = 0; i < values.Length; i++)
        {
            parameters[i].Parameter.copy_(values[i]);
        }
    }

    /// <summary>
    /// Copies every parameter of <paramref name="source"/> into the parameter of the same name in
    /// <paramref name="destination"/>, converting the type.
    /// </summary>
    /// <param name="source">Module to read.</param>
    /// <param name="destination">Module with the same parameter names and shapes.</param>
    /// <exception cref="ArgumentException">The names or shapes differ.</exception>
    public static void CopyValues(nn.Module source, nn.Module destination)
    {
        var from = Ordered(source);
        var to = Ordered(destination);
        if (!from.Select(p => p.Name).SequenceEqual(to.Select(p => p.Name), StringComparer.Ordinal))
        {
            throw new ArgumentException(
                $"Parameter names differ: [{string.Join(", ", from.Select(p => p.Name))}] vs [{string.Join(", ", to.Select(p => p.Name))}].",
                nameof(destination));
        }

        for (int i = 0; i < from.Count; i++)
        {
            if (!from[i].Parameter.shape.SequenceEqual(to[i].Parameter.shape))
            {
                throw new ArgumentException(
                    $"Parameter {from[i].Name} has shape [{string.Join(", ", from[i].Parameter.shape)}] in the source but [{string.Join(", ", to[i].Parameter.shape)}] in the destination.",
                    nameof(destination));
            }
        }

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        for (int i = 0; i < from.Count; i++)
        {
            to[i].Parameter.copy_(from[i].Parameter.detach());
        }
    }

    private static void RequireLength(IReadOnlyList<(string Name, Parameter Parameter)> parameters, int length, string name)
    {
        long count = parameters.Sum(p => p.Parameter.numel());
        if (length != count)
        {
            throw new ArgumentException($"The parameter vector has {count} entries but the span has {length}.", name);
        }
    }
}
