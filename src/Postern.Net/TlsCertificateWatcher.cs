using Microsoft.Extensions.Logging;

namespace Postern.Net;

/// <summary>
/// Picks up certificates replaced on disk without a restart. A FileSystemWatcher on each
/// certificate folder triggers a check shortly after a change (after a short quiet period, so a
/// certificate and key written one after the other are read together), and a periodic check
/// (every <c>Tls:ReloadCheckSeconds</c>, 30 s by default) catches what the watcher cannot see:
/// network file systems, overlay mounts, events dropped when the watcher's buffer overflows.
/// </summary>
/// <remarks>
/// Why not check on every handshake: that puts two stat() calls per configured certificate on
/// the path every connection takes, under the exact load (connection floods) where it hurts, and
/// makes the reload visible only when a client happens to connect. Watching is event-driven, the
/// periodic check is one bounded timer, and the comparison is by modification time and length,
/// so an unchanged certificate costs nothing to check and a broken one is reported once.
/// </remarks>
public sealed partial class TlsCertificateWatcher : IDisposable
{
    private readonly TlsPolicy _policy;
    private readonly ILogger _log;
    private readonly TimeSpan _quiet;
    private readonly List<FileSystemWatcher> _watchers = [];
    private readonly Timer _periodic;
    private readonly Timer _debounce;
    private readonly object _gate = new();
    private bool _disposed;

    /// <param name="period">How often to check even without a file event; bounded to 1 s..1 day.</param>
    /// <param name="quiet">How long to wait after the last file event before reading the files.</param>
    public TlsCertificateWatcher(TlsPolicy policy, TimeSpan period, ILogger log, TimeSpan? quiet = null)
    {
        _policy = policy;
        _log = log;
        _quiet = quiet ?? TimeSpan.FromMilliseconds(300);
        period = TimeSpan.FromTicks(Math.Clamp(period.Ticks, TimeSpan.FromSeconds(1).Ticks, TimeSpan.FromDays(1).Ticks));
        _debounce = new Timer(_ => Check(), null, Timeout.Infinite, Timeout.Infinite);
        _periodic = new Timer(_ => Check(), null, period, period);
        foreach (var dir in policy.Sources
                     .SelectMany(s => new[] { s.CertificatePath, s.KeyPath })
                     .Select(p => Path.GetDirectoryName(Path.GetFullPath(p))!)
                     .Distinct(StringComparer.Ordinal))
        {
            if (!Directory.Exists(dir))
            {
                continue;
            }

            try
            {
                var w = new FileSystemWatcher(dir)
                {
                    NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
                    IncludeSubdirectories = false,
                };
                w.Changed += (_, _) => Soon();
                w.Created += (_, _) => Soon();
                w.Renamed += (_, _) => Soon();
                w.Deleted += (_, _) => Soon();
                w.Error += (_, _) => Soon();
                w.EnableRaisingEvents = true;
                _watchers.Add(w);
            }
            catch (Exception e) when (e is IOException or ArgumentException or PlatformNotSupportedException)
            {
                // Out of inotify watches, for instance: the periodic check still runs.
                LogWatchFailed(dir, e.Message);
            }
        }

        LogWatching(policy.Sources.Count, (int)period.TotalSeconds);
    }

    /// <summary>Runs one check now (also what the timers call); returns what changed.</summary>
    public IReadOnlyList<TlsReloadOutcome> Check()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return [];
            }

            var outcomes = _policy.CheckForChanges();
            foreach (var o in outcomes)
            {
                string name = o.HostName ?? "default";
                if (o.Accepted)
                {
                    LogReloaded(name, o.Source.CertificatePath, o.Subject ?? "");
                }
                else
                {
                    LogRefused(name, o.Source.CertificatePath, o.Error!);
                }
            }

            return outcomes;
        }
    }

    /// <summary>Restarts the quiet-period timer: a burst of events becomes one check.</summary>
    private void Soon()
    {
        lock (_gate)
        {
            if (!_disposed)
            {
                _debounce.Change(_quiet, Timeout.InfiniteTimeSpan);
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
        }

        foreach (var w in _watchers)
        {
            w.Dispose();
        }

        _periodic.Dispose();
        _debounce.Dispose();
    }

    [LoggerMessage(EventId = 120, Level = LogLevel.Information, Message = "TLS certificate reloaded for {Name} from {Path}: {Subject}")]
    private partial void LogReloaded(string name, string path, string subject);

    [LoggerMessage(EventId = 121, Level = LogLevel.Warning, Message = "TLS certificate replacement refused for {Name} ({Path}); the previous certificate keeps serving: {Reason}")]
    private partial void LogRefused(string name, string path, string reason);

    [LoggerMessage(EventId = 122, Level = LogLevel.Warning, Message = "Cannot watch {Folder} for certificate changes ({Reason}); relying on the periodic check")]
    private partial void LogWatchFailed(string folder, string reason);

    [LoggerMessage(EventId = 123, Level = LogLevel.Information, Message = "Watching {Count} TLS certificate(s) for replacement (periodic check every {Seconds} s)")]
    private partial void LogWatching(int count, int seconds);
}
