using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace Sharpness.Nets;

/// <summary>
/// The thread counts of the native libraries under LibTorch: its intra-op threads (OpenMP), MKL's and
/// OpenBLAS's. What is process-wide and what is per thread decides how runs can share a process.
/// </summary>
/// <remarks>
/// <para>LibTorch's <c>at::set_num_threads</c> stores the count process-wide and applies it to the calling
/// thread's OpenMP and MKL settings, which are per thread. Every other thread applies the process-wide
/// count lazily, at its first parallel region: a thread that set its own count before that point has it
/// overwritten by whatever the process-wide value then is. <see cref="Set"/> therefore runs that lazy
/// initialisation first (<c>get_num_threads</c>) and sets the count after it. OpenBLAS's count
/// (<c>openblas_set_num_threads</c>) is process-wide only.</para>
/// <para>Side-by-side runs in one process are therefore correct when each thread sets its own count and
/// every run uses the same one; the job scheduler of Sharpness.Experiments uses one thread per run
/// (<see cref="PrepareForSideBySideJobs"/>, <see cref="UseOneThreadInThisJob"/>).</para>
/// </remarks>
public static class NativeThreads
{
    private static readonly string[] Variables = ["OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"];
    private static readonly Lock Gate = new();

    /// <summary>
    /// Sets the calling thread's LibTorch intra-op threads (OpenMP and MKL) to <paramref name="threads"/>, and
    /// OpenBLAS's (process-wide) when it serves LibTorch's products. Loads LibTorch when it is not loaded yet.
    /// </summary>
    /// <param name="threads">Threads, ≥ 1.</param>
    public static void Set(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        _ = get_num_threads();
        set_num_threads(threads);
        NativeBlas.SetOpenBlasThreads(threads);
    }

    /// <summary>
    /// Before side-by-side jobs start (on the thread that starts them): makes one thread the default of every
    /// native library for the rest of the process. When LibTorch is not loaded yet, sets <c>OMP_NUM_THREADS</c>,
    /// <c>MKL_NUM_THREADS</c> and <c>OPENBLAS_NUM_THREADS</c> to 1 in the native environment, which the libraries
    /// read when they load; when it is loaded, sets LibTorch's process-wide count and OpenBLAS's to 1.
    /// </summary>
    public static void PrepareForSideBySideJobs()
    {
        lock (Gate)
        {
            if (NativeBlas.LibTorchIsLoaded())
            {
                Set(1);
                return;
            }

            foreach (string variable in Variables)
            {
                if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
                {
                    _ = SetEnv(variable, "1", 1);
                }

                Environment.SetEnvironmentVariable(variable, "1");
            }
        }
    }

    /// <summary>At the start of a job's thread: when LibTorch is loaded, sets this thread's count to 1 (see <see cref="Set"/>).</summary>
    public static void UseOneThreadInThisJob()
    {
        if (NativeBlas.LibTorchIsLoaded())
        {
            Set(1);
        }
    }

    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int SetEnv([MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);
}
