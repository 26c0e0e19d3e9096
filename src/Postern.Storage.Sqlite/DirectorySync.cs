using System.Runtime.InteropServices;

namespace Postern.Storage.Sqlite;

/// <summary>
/// Makes directory entries durable: after a rename (or create) the file's data is on disk, but
/// its name lives in the directory, which needs its own fsync (POSIX fsync(2), Linux ext4/xfs).
/// .NET has no API for that, so on Linux this calls libc directly; elsewhere it is a no-op.
/// </summary>
public static class DirectorySync
{
    private const int ORdOnly = 0;
    private const int OCloExec = 0x80000; // 02000000, the same on x86-64 and arm64

    // O_DIRECTORY differs between architectures (asm-generic 0200000 vs arm 040000); 0 just
    // skips the "must be a directory" check, which open(O_RDONLY) on a directory does not need.
    private static readonly int s_oDirectory = RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 or Architecture.X86 => 0x10000,
        Architecture.Arm64 or Architecture.Arm => 0x4000,
        _ => 0,
    };

    private static volatile bool s_unavailable = !OperatingSystem.IsLinux();

    /// <summary>False where directory sync is not done (not Linux, or libc could not be loaded).</summary>
    public static bool IsSupported => !s_unavailable;

    /// <summary>
    /// fsyncs <paramref name="directory"/>. Returns false if this platform does not support it
    /// (nothing was done); throws <see cref="IOException"/> if the sync itself failed.
    /// </summary>
    public static bool Flush(string directory)
    {
        if (s_unavailable)
        {
            return false;
        }

        int fd;
        try
        {
            fd = Open(directory, ORdOnly | OCloExec | s_oDirectory);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            s_unavailable = true;
            return false;
        }

        if (fd < 0)
        {
            throw new IOException($"Could not open directory '{directory}' to sync it (errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            if (FSync(fd) != 0)
            {
                throw new IOException($"Could not sync directory '{directory}' to disk (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = Close(fd);
        }

        return true;
    }

    // DllImport rather than LibraryImport: the latter needs AllowUnsafeBlocks for its generated
    // string marshalling; these three calls are not hot enough for the difference to matter.
    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static extern int FSync(int fd);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int fd);
}
