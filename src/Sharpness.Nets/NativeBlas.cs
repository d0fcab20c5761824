using System.Globalization;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace Sharpness.Nets;

/// <summary>The BLAS library that LibTorch's dense matrix products run in.</summary>
public enum BlasBackend
{
    /// <summary>The Intel MKL linked into LibTorch (its default).</summary>
    LibTorch,

    /// <summary>OpenBLAS, loaded into the process so that LibTorch's <c>sgemm_</c>/<c>dgemm_</c> calls resolve to it.</summary>
    OpenBlas,
}

/// <summary>
/// Routes LibTorch's BLAS calls to OpenBLAS instead of the MKL inside <c>libtorch_cpu.so</c>, and checks that it worked.
/// </summary>
/// <remarks>
/// <para>
/// <c>libtorch_cpu.so</c> exports MKL's Fortran BLAS entry points (<c>sgemm_</c>, <c>dgemm_</c>, …) and calls them
/// through its procedure linkage table with lazy binding, so the dynamic linker resolves each on its first call,
/// searching the process's global scope before the library itself. Loading OpenBLAS with <c>RTLD_GLOBAL</c> before
/// LibTorch's first matrix product therefore makes every later product run in OpenBLAS — what
/// <c>LD_PRELOAD=libopenblas.so.0</c> would do, from inside the process. On AMD processors MKL does not use its fastest
/// kernels, and OpenBLAS is 10–15 % faster for the products of a Hessian-vector product (docs/benchmarks.md).
/// </para>
/// <para>
/// After loading, <see cref="UseOpenBlas"/> multiplies two matrices with LibTorch and with each library's
/// <c>dgemm_</c> directly, and requires LibTorch's result to equal OpenBLAS's bit for bit (<see cref="Check"/> says
/// whether it also differed from MKL's, which makes the check conclusive). Results differ from MKL's in the last bits
/// of each product; a run is bit-identical to another run with the same backend and thread count.
/// </para>
/// <para>
/// With OpenBLAS, OpenMP's <c>OMP_WAIT_POLICY</c> is set to <c>PASSIVE</c> (unless set already): LibTorch's OpenMP
/// threads otherwise spin between parallel regions and take the cores from OpenBLAS's threads.
/// </para>
/// </remarks>
public static class NativeBlas
{
    private const int RtldNow = 0x2;
    private const int RtldGlobal = 0x100;
    private const int RtldNoLoad = 0x4;
    private const string OmpWaitPolicy = "OMP_WAIT_POLICY";

    /// <summary>Where OpenBLAS is looked for, in order: the loader's search path, then Debian's packages.</summary>
    public static readonly IReadOnlyList<string> OpenBlasCandidates =
    [
        "libopenblas.so.0",
        "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0",
        "/usr/lib/x86_64-linux-gnu/openblas-openmp/libopenblas.so.0",
        "/usr/lib/x86_64-linux-gnu/openblas-serial/libopenblas.so.0",
    ];

    private static readonly Lock Gate = new();
    private static IntPtr _openBlas;

    /// <summary>The backend in use in this process.</summary>
    public static BlasBackend Backend { get; private set; } = BlasBackend.LibTorch;

    /// <summary>The OpenBLAS file loaded, or null.</summary>
    public static string? Library { get; private set; }

    /// <summary>OpenBLAS's own description of its build (<c>openblas_get_config</c>), or null.</summary>
    public static string? Configuration { get; private set; }

    /// <summary>The result of the binding check (see <see cref="UseOpenBlas"/>), or null.</summary>
    public static string? Check { get; private set; }

    /// <summary>Parses <c>libtorch</c> or <c>openblas</c>.</summary>
    /// <param name="text">The option's value.</param>
    /// <param name="backend">The backend.</param>
    /// <returns>Whether the text names a backend.</returns>
    public static bool TryParse(string? text, out BlasBackend backend)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "libtorch" or "mkl":
                backend = BlasBackend.LibTorch;
                return true;
            case "openblas":
                backend = BlasBackend.OpenBlas;
                return true;
            default:
                backend = BlasBackend.LibTorch;
                return false;
        }
    }

    /// <summary>The backend's name as the option and the manifest spell it.</summary>
    /// <param name="backend">A backend.</param>
    public static string Name(BlasBackend backend) => backend == BlasBackend.OpenBlas ? "openblas" : "libtorch";

    /// <summary>
    /// Makes <paramref name="backend"/> the BLAS of this process, with <paramref name="threads"/> threads for OpenBLAS.
    /// Choosing the backend already in use only updates the thread count.
    /// </summary>
    /// <param name="backend">The backend wanted.</param>
    /// <param name="threads">OpenBLAS threads (LibTorch's intra-op thread count); ignored for <see cref="BlasBackend.LibTorch"/>.</param>
    /// <exception cref="InvalidOperationException">
    /// The other backend is bound already (LibTorch ran before OpenBLAS was chosen, or OpenBLAS was chosen before),
    /// OpenBLAS was not found, or LibTorch's products did not move to it.
    /// </exception>
    public static void Use(BlasBackend backend, int threads)
    {
        lock (Gate)
        {
            if (backend == BlasBackend.LibTorch)
            {
                if (Backend == BlasBackend.OpenBlas)
                {
                    throw new InvalidOperationException("OpenBLAS already serves LibTorch's matrix products in this process; the LibTorch (MKL) backend needs a new process.");
                }

                return;
            }

            if (Backend == BlasBackend.OpenBlas)
            {
                SetThreads(threads);
                return;
            }

            UseOpenBlas(threads);
        }
    }

    private static void UseOpenBlas(int threads)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new InvalidOperationException("The OpenBLAS backend is available on Linux only.");
        }

        if (LibTorchIsLoaded())
        {
            throw new InvalidOperationException("LibTorch was loaded before the OpenBLAS backend was chosen, so its matrix products may be bound to MKL already; choose the backend first in a new process.");
        }

        foreach (string candidate in OpenBlasCandidates)
        {
            IntPtr handle = DlOpen(candidate, RtldNow | RtldGlobal);
            if (handle != IntPtr.Zero)
            {
                _openBlas = handle;
                Library = candidate;
                break;
            }
        }

        if (_openBlas == IntPtr.Zero)
        {
            throw new InvalidOperationException($"OpenBLAS was not found (tried {string.Join(", ", OpenBlasCandidates)}); install Debian's libopenblas0-pthread or put the folder of libopenblas.so.0 on LD_LIBRARY_PATH.");
        }

        // LibTorch's OpenMP threads spin between parallel regions by default and starve OpenBLAS's own threads
        // (measured: one float64 HVP at 2 threads took 197 ms instead of 88 ms). OpenMP reads this when LibTorch loads.
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(OmpWaitPolicy)) && SetEnv(OmpWaitPolicy, "PASSIVE", 0) == 0)
        {
            Environment.SetEnvironmentVariable(OmpWaitPolicy, "PASSIVE");
        }

        Configuration = Marshal.PtrToStringUTF8(Function<ConfigFunction>(_openBlas, "openblas_get_config")());
        Backend = BlasBackend.OpenBlas;
        SetThreads(threads);
        Check = VerifyBinding();
    }

    private static void SetThreads(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        Function<SetThreadsFunction>(_openBlas, "openblas_set_num_threads")(threads);
    }

    /// <summary>
    /// Multiplies fixed 48×40 and 40×56 float64 matrices with LibTorch and with both libraries' <c>dgemm_</c>;
    /// LibTorch must match OpenBLAS bit for bit.
    /// </summary>
    private static string VerifyBinding()
    {
        const int m = 48, k = 40, n = 56;
        double[] a = Filled(m * k, 1), b = Filled(k * n, 2);
        double[] viaTorch;
        using (var scope = NewDisposeScope())
        {
            Tensor product = tensor(a, [m, k], ScalarType.Float64).mm(tensor(b, [k, n], ScalarType.Float64)).contiguous();
            viaTorch = product.data<double>().ToArray();
        }

        double[] viaOpenBlas = RowMajorProduct(Function<Dgemm>(_openBlas, "dgemm_"), a, b, m, k, n);
        IntPtr torchLibrary = LoadedLibTorch();
        double[]? viaMkl = torchLibrary == IntPtr.Zero ? null : RowMajorProduct(Function<Dgemm>(torchLibrary, "dgemm_"), a, b, m, k, n);
        if (!viaTorch.AsSpan().SequenceEqual(viaOpenBlas))
        {
            string mkl = viaMkl is not null && viaTorch.AsSpan().SequenceEqual(viaMkl) ? " (it equals MKL's)" : string.Empty;
            throw new InvalidOperationException($"OpenBLAS was loaded from {Library}, but LibTorch's matrix product differs from OpenBLAS's{mkl}; LibTorch's BLAS calls were not routed to it.");
        }

        return viaMkl is null
            ? "LibTorch's product equals OpenBLAS's bit for bit (MKL's dgemm_ was not found to compare)"
            : viaMkl.AsSpan().SequenceEqual(viaOpenBlas)
                ? "LibTorch's product equals OpenBLAS's bit for bit; MKL gives the same bits on this product, so the check cannot tell them apart"
                : "LibTorch's product equals OpenBLAS's bit for bit and differs from MKL's";
    }

    private static double[] Filled(int count, int salt)
    {
        var values = new double[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = Math.Sin(0.37 * i + salt) / (1 + (i % 7));
        }

        return values;
    }

    /// <summary>C = A B for row-major A [m×k], B [k×n], the way LibTorch calls column-major BLAS: Cᵀ = Bᵀ Aᵀ.</summary>
    private static double[] RowMajorProduct(Dgemm dgemm, double[] a, double[] b, int m, int k, int n)
    {
        var c = new double[m * n];
        byte transpose = (byte)'n';
        int rows = n, columns = m, inner = k, ldb = n, lda = k, ldc = n;
        double alpha = 1, beta = 0;
        dgemm(ref transpose, ref transpose, ref rows, ref columns, ref inner, ref alpha, b, ref ldb, a, ref lda, ref beta, c, ref ldc);
        return c;
    }

    private static bool LibTorchIsLoaded() => LoadedLibTorch() != IntPtr.Zero;

    private static IntPtr LoadedLibTorch()
    {
        string? path = File.ReadLines("/proc/self/maps")
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields.Length >= 6)
            .Select(fields => string.Join(' ', fields.Skip(5)))
            .FirstOrDefault(file => Path.GetFileName(file) == "libtorch_cpu.so");
        return path is null ? IntPtr.Zero : DlOpen(path, RtldNow | RtldNoLoad);
    }

    private static T Function<T>(IntPtr library, string name)
        where T : Delegate
    {
        IntPtr address = DlSym(library, name);
        if (address == IntPtr.Zero)
        {
            throw new InvalidOperationException($"'{name}' was not found in {Library ?? "the library"}.");
        }

        return Marshal.GetDelegateForFunctionPointer<T>(address);
    }

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate IntPtr ConfigFunction();

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void SetThreadsFunction(int threads);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void Dgemm(
        ref byte transposeA, ref byte transposeB, ref int m, ref int n, ref int k, ref double alpha,
        [In] double[] a, ref int lda, [In] double[] b, ref int ldb, ref double beta, [In, Out] double[] c, ref int ldc);

    [DllImport("libc", EntryPoint = "dlopen")]
    private static extern IntPtr DlOpen([MarshalAs(UnmanagedType.LPUTF8Str)] string file, int mode);

    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int SetEnv([MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);

    [DllImport("libc", EntryPoint = "dlsym")]
    private static extern IntPtr DlSym(IntPtr handle, [MarshalAs(UnmanagedType.LPUTF8Str)] string name);

    /// <summary>A description for the manifest.</summary>
    public static string Describe() => Backend == BlasBackend.OpenBlas
        ? string.Create(CultureInfo.InvariantCulture, $"openblas ({Library}; {Configuration}; OMP_WAIT_POLICY={Environment.GetEnvironmentVariable(OmpWaitPolicy)})")
        : "libtorch (the MKL inside LibTorch)";
}
