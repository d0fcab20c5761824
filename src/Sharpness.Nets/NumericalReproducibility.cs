using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Sharpness.Nets;

/// <summary>
/// Makes LibTorch's CPU linear algebra give bit-identical results wherever the tensors sit in memory.
/// </summary>
/// <remarks>
/// LibTorch's x86-64 build links Intel MKL, whose kernels may pick code paths by the memory alignment of
/// their operands, so the same product can differ in the last bit between two processes, or between the
/// first and second run in one process. MKL's conditional numerical reproducibility mode
/// <c>MKL_CBWR=AUTO,STRICT</c> removes that dependence while keeping the fastest instruction set of the
/// machine. MKL reads the variable from the native environment at its first call, so it is set there
/// (through libc's <c>setenv</c>) when this assembly loads, before any tensor exists. A value the user set
/// is left alone.
/// </remarks>
public static class NumericalReproducibility
{
    /// <summary>The environment variable MKL reads.</summary>
    public const string Variable = "MKL_CBWR";

    /// <summary>The value set when the variable is absent.</summary>
    public const string Value = "AUTO,STRICT";

    /// <summary>The value MKL sees (set by the user or by this class), or null when it could not be set.</summary>
    public static string? Setting { get; private set; }

    /// <summary>Sets <see cref="Variable"/> in the native environment unless it is set already.</summary>
    [ModuleInitializer]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Usage", "CA2255:The 'ModuleInitializer' attribute should not be used in libraries", Justification = "MKL must see the variable before LibTorch's first call; no later hook exists.")]
    public static void Apply()
    {
        if (Setting is not null)
        {
            return;
        }

        string? existing = Environment.GetEnvironmentVariable(Variable);
        if (!string.IsNullOrEmpty(existing))
        {
            Setting = existing;
            return;
        }

        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
        {
            if (SetEnv(Variable, Value, 0) == 0)
            {
                Environment.SetEnvironmentVariable(Variable, Value);
                Setting = Value;
            }
        }
        else
        {
            Environment.SetEnvironmentVariable(Variable, Value);
            Setting = Value;
        }
    }

    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int SetEnv([MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);
}
