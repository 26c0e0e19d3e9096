using System.Globalization;

namespace Postern.Net;

/// <summary>
/// How many connections the process's file-descriptor limit can carry. Running out of
/// descriptors is not a recoverable accept error for .NET: the runtime itself needs descriptors
/// (pipes, eventfds for threads and timers) and aborts with "Out of memory." when it cannot get
/// one. So connections are capped well below the limit instead of discovering it by failure.
/// Dovecot does the same kind of check at start (it refuses to start when a service's
/// client_limit exceeds the descriptor limit); we cap and carry on.
/// </summary>
public static class DescriptorBudget
{
    /// <summary>Descriptors kept for the runtime, the database, logging and the listening sockets.</summary>
    public const int Reserve = 64;

    /// <summary>
    /// The most connections the soft RLIMIT_NOFILE allows, given what is open already (the runtime
    /// keeps every loaded assembly open: well over a hundred descriptors before the first client).
    /// Each connection needs its socket and, at times, one file more (a DATA/APPEND spool file or
    /// a message being read), so half of what is left after the reserve. Null where the limit is
    /// unknown (not Linux) or unlimited.
    /// </summary>
    public static int? ConnectionCap() => CapFor(SoftLimit(), OpenNow());

    public static int? CapFor(long? softLimit, int openNow) =>
        softLimit is long n && n < int.MaxValue ? (int)Math.Max(1, (n - openNow - Reserve) / 2) : null;

    /// <summary>Descriptors this process has open now (0 where /proc is unavailable).</summary>
    public static int OpenNow()
    {
        try
        {
            return OperatingSystem.IsLinux() ? Directory.GetFileSystemEntries("/proc/self/fd").Length : 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    /// <summary>The soft "Max open files" of this process, from /proc/self/limits.</summary>
    public static long? SoftLimit()
    {
        try
        {
            if (!OperatingSystem.IsLinux())
            {
                return null;
            }

            foreach (var line in File.ReadLines("/proc/self/limits"))
            {
                if (!line.StartsWith("Max open files", StringComparison.Ordinal))
                {
                    continue;
                }

                var fields = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return fields.Length > 0 && long.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out long soft) ? soft : null;
            }
        }
        catch (IOException)
        {
            // No /proc: no cap from here.
        }

        return null;
    }
}
