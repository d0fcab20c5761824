using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
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
/// Chooses the BLAS that LibTorch's dense matrix products run in (its own MKL or OpenBLAS), by default the
/// faster one on this processor, routes LibTorch's BLAS calls to it, and checks that it worked.
/// </summary>
/// <remarks>
/// <para>
/// <b>Routing.</b> <c>libtorch_cpu.so</c> exports MKL's Fortran BLAS entry points (<c>sgemm_</c>, <c>dgemm_</c>, …)
/// and calls them through its procedure linkage table with lazy binding, so the dynamic linker resolves each on its
/// first call, searching the process's global scope before the library itself. Loading OpenBLAS with
/// <c>RTLD_GLOBAL</c> before LibTorch's first matrix product therefore makes every later product run in OpenBLAS —
/// what <c>LD_PRELOAD=libopenblas.so.0</c> would do, from inside the process.
/// </para>
/// <para>
/// <b>The default</b> (<see cref="Default"/>): OpenBLAS when it is installed and the processor is not Intel's, MKL
/// otherwise; <see cref="Variable"/> (<c>SHARPNESS_BLAS=libtorch|openblas|auto</c>) overrides it for a process. MKL
/// selects its fastest kernels by CPU vendor and does not take them on AMD and other non-Intel processors; on the
/// AMD EPYC of docs/benchmarks.md one float64 Hessian-vector product at one thread takes 1.12× PyTorch's time with
/// MKL and 0.98× with OpenBLAS (float32: 1.19× and 1.05×). The rule depends only on the processor's vendor and on
/// the installed files, so the choice is the same for every run on a machine and same-seed runs stay bit-identical.
/// The choice and its reason (<see cref="Reason"/>) go into every manifest of a run that uses LibTorch.
/// </para>
/// <para>
/// <b>When it is applied.</b> Explicitly with <see cref="Use(BlasBackend?, int, string?)"/> (the <c>--blas</c> option
/// of the net commands, before anything touches LibTorch); otherwise at the first LibTorch call of the process, from
/// a resolver of TorchSharp's native imports that this assembly registers when it loads. LibTorch used before this
/// assembly loaded keeps MKL, and the reason says so.
/// </para>
/// <para>
/// <b>The check.</b> After loading OpenBLAS, LibTorch's product of fixed 48×40 and 40×56 float64 matrices must equal
/// OpenBLAS's <c>dgemm_</c> bit for bit (<see cref="Check"/> says whether it also differed from MKL's, which makes the
/// check conclusive). It runs at once when the backend is chosen explicitly, and at the first read of
/// <see cref="Check"/> or <see cref="Describe"/> when it was applied at LibTorch's first call (LibTorch cannot run
/// inside its own loading). Results differ from MKL's in the last bits of each product; a run is bit-identical to
/// another run with the same backend and thread count.
/// </para>
/// <para>
/// With OpenBLAS, OpenMP's <c>OMP_WAIT_POLICY</c> is set to <c>PASSIVE</c> (unless set already): LibTorch's OpenMP
/// threads otherwise spin between parallel regions and take the cores from OpenBLAS's threads. OpenMP reads it when
/// LibTorch loads, so it is set when this assembly loads if the default is OpenBLAS, and removed again when
/// <c>--blas libtorch</c> is chosen before LibTorch loads.
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

    /// <summary>The environment variable that overrides the default for a process: libtorch, openblas or auto.</summary>
    public const string Variable = "SHARPNESS_BLAS";

    // Gate guards the choice; CheckGate the binding check, which runs LibTorch and so binds TorchSharp's imports. The
    // check never runs under Gate: a thread binding a TorchSharp import waits in ResolveTorchSharpImport for Gate, and a
    // thread binding the same import under Gate would wait for that binding — a deadlock between two threads that first
    // use LibTorch at the same moment.
    private static readonly Lock Gate = new();
    private static readonly Lock CheckGate = new();
    private static IntPtr _openBlas;
    private static bool _chosen;
    private static volatile bool _checkPending;
    private static bool _waitPolicySetHere;
    private static volatile bool _firstCallSeen;
    private static string? _check;

    /// <summary>The backend in use in this process (LibTorch's MKL until a choice is applied).</summary>
    public static BlasBackend Backend { get; private set; } = BlasBackend.LibTorch;

    /// <summary>Why <see cref="Backend"/> is in use, one sentence for manifests (for example "default on AuthenticAMD: …").</summary>
    public static string Reason { get; private set; } = "no choice made yet: LibTorch's own MKL";

    /// <summary>The OpenBLAS file loaded, or null.</summary>
    public static string? Library { get; private set; }

    /// <summary>OpenBLAS's own description of its build (<c>openblas_get_config</c>), or null.</summary>
    public static string? Configuration { get; private set; }

    /// <summary>The result of the binding check (see the remarks), or null with MKL. Runs a pending check first.</summary>
    /// <exception cref="InvalidOperationException">A pending check found that LibTorch's products do not run in OpenBLAS.</exception>
    public static string? Check
    {
        get
        {
            EnsureChecked();
            return _check;
        }
    }

    /// <summary>Parses <c>auto</c> (null: the default), <c>libtorch</c> (or <c>mkl</c>) or <c>openblas</c>.</summary>
    /// <param name="text">The option's value.</param>
    /// <param name="backend">The backend, or null for auto.</param>
    /// <returns>Whether the text names a choice.</returns>
    public static bool TryParseChoice(string? text, out BlasBackend? backend)
    {
        if (text?.Trim().ToLowerInvariant() == "auto")
        {
            backend = null;
            return true;
        }

        bool parsed = TryParse(text, out var named);
        backend = parsed ? named : null;
        return parsed;
    }

    /// <summary>Parses <c>libtorch</c> (or <c>mkl</c>) or <c>openblas</c>.</summary>
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
    public static void Use(BlasBackend backend, int threads) => Use(backend, threads, null);

    /// <summary>
    /// Applies a choice: <paramref name="backend"/>, or the default (<see cref="Default"/>) when null, with
    /// <paramref name="threads"/> threads for OpenBLAS. Choosing the backend already in use only updates the thread
    /// count; the default keeps whatever was applied before (at LibTorch's first call, or by an earlier run).
    /// </summary>
    /// <param name="backend">The backend wanted, or null for the default.</param>
    /// <param name="threads">OpenBLAS threads (LibTorch's intra-op thread count); ignored for <see cref="BlasBackend.LibTorch"/>.</param>
    /// <param name="forcedBy">What forced <paramref name="backend"/>, for <see cref="Reason"/> (for example "--blas openblas"); ignored for the default.</param>
    /// <exception cref="InvalidOperationException">
    /// A forced backend cannot be applied: the other backend is bound already (LibTorch ran before OpenBLAS was chosen, or
    /// OpenBLAS was chosen before), OpenBLAS was not found, or LibTorch's products did not move to it.
    /// </exception>
    public static void Use(BlasBackend? backend, int threads, string? forcedBy)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        lock (Gate)
        {
            if (backend is null)
            {
                ApplyDefault(threads, verifyNow: true);
                SetOpenBlasThreadsLocked(threads);
            }
            else
            {
                Apply(backend.Value, threads, $"forced by {forcedBy ?? "--blas " + Name(backend.Value)}", verifyNow: true);
            }
        }

        // Outside Gate (see CheckGate).
        EnsureChecked();
    }

    /// <summary>
    /// The default on this machine and why: <see cref="Variable"/> when set to libtorch or openblas; otherwise
    /// OpenBLAS when it is installed and the processor's vendor (<c>vendor_id</c> of /proc/cpuinfo) is not
    /// GenuineIntel, else LibTorch's MKL.
    /// </summary>
    public static (BlasBackend Backend, string Reason) Default()
    {
        string? variable = Environment.GetEnvironmentVariable(Variable);
        if (!string.IsNullOrWhiteSpace(variable) && variable.Trim().ToLowerInvariant() != "auto")
        {
            return TryParse(variable, out var named)
                ? (named, $"forced by {Variable}={variable.Trim()}")
                : (BlasBackend.LibTorch, $"{Variable}={variable.Trim()} is not libtorch, openblas or auto; LibTorch's MKL kept");
        }

        var (vendor, model) = Processor();
        string processor = model is null ? vendor ?? "an unknown processor" : $"{vendor} ({model})";
        string? library = FindOpenBlas();
        if (vendor == "GenuineIntel")
        {
            return (BlasBackend.LibTorch, $"default on {processor}: LibTorch's MKL, which takes its fastest kernels on Intel processors");
        }

        if (library is null)
        {
            return (BlasBackend.LibTorch, $"default on {processor}: LibTorch's MKL, because OpenBLAS is not installed (Debian: libopenblas0-pthread)");
        }

        return (BlasBackend.OpenBlas, $"default on {processor}: OpenBLAS, installed here, because MKL does not take its fastest kernels on processors other than Intel's (measured on AMD EPYC: one float64 HVP at 1 thread 0.98x PyTorch's time with OpenBLAS, 1.12x with MKL; docs/benchmarks.md)");
    }

    /// <summary>The vendor (<c>vendor_id</c>) and model name of the first processor in /proc/cpuinfo; nulls off Linux.</summary>
    public static (string? Vendor, string? Model) Processor()
    {
        string? vendor = null, model = null;
        try
        {
            foreach (string line in File.ReadLines("/proc/cpuinfo"))
            {
                int colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon < 0)
                {
                    continue;
                }

                string key = line[..colon].Trim(), value = line[(colon + 1)..].Trim();
                vendor ??= key == "vendor_id" ? value : null;
                model ??= key == "model name" ? value : null;
                if (vendor is not null && model is not null)
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        return (vendor, model);
    }

    /// <summary>Sets OpenBLAS's process-wide thread count when it serves LibTorch's products; nothing otherwise.</summary>
    /// <param name="threads">Threads, ≥ 1.</param>
    public static void SetOpenBlasThreads(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        lock (Gate)
        {
            SetOpenBlasThreadsLocked(threads);
        }
    }

    private static void SetOpenBlasThreadsLocked(int threads)
    {
        if (Backend == BlasBackend.OpenBlas)
        {
            SetThreads(threads);
        }
    }

    // verifyNow: a caller's choice (Use), whose binding check runs as soon as it leaves Gate; false at LibTorch's first call.
    private static void Apply(BlasBackend backend, int threads, string reason, bool verifyNow)
    {
        if (backend == BlasBackend.LibTorch)
        {
            if (Backend == BlasBackend.OpenBlas)
            {
                throw new InvalidOperationException("OpenBLAS already serves LibTorch's matrix products in this process; the LibTorch (MKL) backend needs a new process.");
            }

            if (!_chosen)
            {
                UndoWaitPolicy();
                Reason = reason;
                _chosen = true;
            }

            return;
        }

        if (Backend == BlasBackend.OpenBlas)
        {
            SetThreads(threads);
            return;
        }

        if (_chosen || (verifyNow && LibTorchIsLoaded() && !_firstCallSeen))
        {
            throw new InvalidOperationException(_chosen
                ? "LibTorch's MKL already serves LibTorch's matrix products in this process; the OpenBLAS backend needs a new process."
                : "LibTorch was loaded before the OpenBLAS backend was chosen, so its matrix products may be bound to MKL already; choose the backend first in a new process.");
        }

        LoadOpenBlas();
        Backend = BlasBackend.OpenBlas;
        Reason = reason;
        _chosen = true;
        SetThreads(threads);
        // The check runs when the caller has left Gate (Use), or at the first Describe or Check.
        _checkPending = true;
    }

    /// <summary>
    /// Applies the default unless a choice was made. LibTorch loaded before this assembly could watch its first call
    /// keeps MKL (its products may be bound already). <paramref name="threads"/> null leaves OpenBLAS's own default.
    /// </summary>
    private static void ApplyDefault(int? threads, bool verifyNow)
    {
        if (_chosen)
        {
            return;
        }

        var (backend, reason) = Default();
        if (backend == BlasBackend.OpenBlas && LibTorchIsLoaded() && !_firstCallSeen)
        {
            Reason = "LibTorch's MKL, because LibTorch was in use before Sharpness.Nets could choose the BLAS (the default here: " + reason + ")";
            UndoWaitPolicy();
            _chosen = true;
            return;
        }

        try
        {
            Apply(backend, threads ?? OpenBlasThreads(), reason, verifyNow);
        }
        catch (InvalidOperationException e) when (backend == BlasBackend.OpenBlas && Backend == BlasBackend.LibTorch && _openBlas == IntPtr.Zero)
        {
            Reason = $"LibTorch's MKL, because the default (OpenBLAS) could not be loaded: {e.Message}";
            UndoWaitPolicy();
            _chosen = true;
        }
    }

    // OpenBLAS's own default when LibTorch's first call applies it: OPENBLAS_NUM_THREADS, else every processor.
    private static int OpenBlasThreads() =>
        int.TryParse(Environment.GetEnvironmentVariable("OPENBLAS_NUM_THREADS"), NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= 1
            ? n
            : Math.Max(1, Environment.ProcessorCount);

    // Runs a pending binding check once; never called under Gate (see CheckGate).
    private static void EnsureChecked()
    {
        if (!_checkPending)
        {
            return;
        }

        lock (CheckGate)
        {
            if (_checkPending)
            {
                _check = VerifyBinding();
                _checkPending = false;
            }
        }
    }

    private static string? FindOpenBlas()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        foreach (string candidate in OpenBlasCandidates)
        {
            IntPtr handle = DlOpen(candidate, RtldNow | RtldNoLoad);
            if (handle != IntPtr.Zero || (Path.IsPathRooted(candidate) && File.Exists(candidate)))
            {
                return candidate;
            }
        }

        // The loader's search path (LD_LIBRARY_PATH, ld.so.cache) resolves the bare name only when loading.
        return null;
    }

    private static void LoadOpenBlas()
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new InvalidOperationException("The OpenBLAS backend is available on Linux only.");
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

        SetWaitPolicy();
        Configuration = Marshal.PtrToStringUTF8(Function<ConfigFunction>(_openBlas, "openblas_get_config")());
    }

    // LibTorch's OpenMP threads spin between parallel regions by default and starve OpenBLAS's own threads
    // (measured: one float64 HVP at 2 threads took 197 ms instead of 88 ms). OpenMP reads this when LibTorch loads.
    private static void SetWaitPolicy()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(OmpWaitPolicy)) && SetEnv(OmpWaitPolicy, "PASSIVE", 0) == 0)
        {
            Environment.SetEnvironmentVariable(OmpWaitPolicy, "PASSIVE");
            _waitPolicySetHere = true;
        }
    }

    private static void UndoWaitPolicy()
    {
        if (_waitPolicySetHere && !LibTorchIsLoaded())
        {
            _ = UnsetEnv(OmpWaitPolicy);
            Environment.SetEnvironmentVariable(OmpWaitPolicy, null);
            _waitPolicySetHere = false;
        }
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

    /// <summary>Whether <c>libtorch_cpu.so</c> is mapped into this process (from /proc/self/maps).</summary>
    internal static bool LibTorchIsLoaded() => OperatingSystem.IsLinux() && LoadedLibTorch() != IntPtr.Zero;

    /// <summary>
    /// When this assembly loads: MKL stays when LibTorch is in use already; otherwise a resolver of TorchSharp's native
    /// imports is registered, whose first call (LibTorch just loaded, no product run yet) applies the default unless a
    /// choice was made, and <c>OMP_WAIT_POLICY</c> is set when the default is OpenBLAS (OpenMP reads it as it loads).
    /// </summary>
    [ModuleInitializer]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Usage", "CA2255:The 'ModuleInitializer' attribute should not be used in libraries", Justification = "OpenBLAS must be routed before LibTorch's first product; the first native call is the last moment.")]
    internal static void WatchFirstLibTorchCall()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        lock (Gate)
        {
            if (LibTorchIsLoaded())
            {
                Reason = "LibTorch's MKL, because LibTorch was in use before Sharpness.Nets loaded";
                _chosen = true;
                return;
            }

            try
            {
                NativeLibrary.SetDllImportResolver(typeof(TorchSharp.torch).Assembly, ResolveTorchSharpImport);
            }
            catch (InvalidOperationException)
            {
                // Another component resolves TorchSharp's imports: the default then applies through Use only.
                return;
            }

            if (Default().Backend == BlasBackend.OpenBlas)
            {
                SetWaitPolicy();
            }
        }
    }

    // Called for TorchSharp's native imports; the first call comes right after LibTorch loads, before any product.
    private static IntPtr ResolveTorchSharpImport(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (!_firstCallSeen)
        {
            lock (Gate)
            {
                if (!_firstCallSeen)
                {
                    _firstCallSeen = true;
                    ApplyDefault(threads: null, verifyNow: false);
                }
            }
        }

        return IntPtr.Zero;
    }

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

    [DllImport("libc", EntryPoint = "unsetenv")]
    private static extern int UnsetEnv([MarshalAs(UnmanagedType.LPUTF8Str)] string name);

    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int SetEnv([MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);

    [DllImport("libc", EntryPoint = "dlsym")]
    private static extern IntPtr DlSym(IntPtr handle, [MarshalAs(UnmanagedType.LPUTF8Str)] string name);

    /// <summary>A description for the manifest (runs a pending check first, see <see cref="Check"/>).</summary>
    public static string Describe()
    {
        EnsureChecked();
        return Backend == BlasBackend.OpenBlas
            ? string.Create(CultureInfo.InvariantCulture, $"openblas ({Library}; {Configuration}; OMP_WAIT_POLICY={Environment.GetEnvironmentVariable(OmpWaitPolicy)})")
            : "libtorch (the MKL inside LibTorch)";
    }
}
