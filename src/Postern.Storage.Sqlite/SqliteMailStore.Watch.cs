using Microsoft.Extensions.Logging;

namespace Postern.Storage.Sqlite;

public sealed partial class SqliteMailStore
{
    // In-process only: store.lock keeps a data folder to one serving process, so every change
    // to a mailbox passes through this instance. (An administration process's changes are not seen.)
    private readonly Lock _watchLock = new();
    private readonly Dictionary<long, List<Watcher>> _watchers = [];

    /// <inheritdoc/>
    public IDisposable WatchMailbox(long mailboxId, Action onChange)
    {
        ArgumentNullException.ThrowIfNull(onChange);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var watcher = new Watcher(this, mailboxId, onChange);
        lock (_watchLock)
        {
            if (!_watchers.TryGetValue(mailboxId, out var list))
            {
                _watchers[mailboxId] = list = [];
            }

            list.Add(watcher);
        }

        return watcher;
    }

    private void Unwatch(Watcher watcher)
    {
        lock (_watchLock)
        {
            if (_watchers.TryGetValue(watcher.MailboxId, out var list) && list.Remove(watcher) && list.Count == 0)
            {
                _watchers.Remove(watcher.MailboxId);
            }
        }
    }

    /// <summary>
    /// Tells the watchers of <paramref name="mailboxIds"/> about a committed change. Called after
    /// the writer lock is released; the callbacks run outside every lock, and one that throws
    /// neither reaches the writer (whose change is committed) nor stops the others.
    /// </summary>
    private void Notify(IEnumerable<long> mailboxIds)
    {
        List<Watcher> due = [];
        lock (_watchLock)
        {
            foreach (long id in mailboxIds.Distinct())
            {
                if (_watchers.TryGetValue(id, out var list))
                {
                    due.AddRange(list);
                }
            }
        }

        foreach (var watcher in due)
        {
            if (watcher.Disposed)
            {
                continue;
            }

            try
            {
                watcher.OnChange();
            }
            catch (Exception e)
            {
                LogWatcherFailed(e, watcher.MailboxId);
            }
        }
    }

    private void Notify(long mailboxId) => Notify([mailboxId]);

    private sealed class Watcher(SqliteMailStore store, long mailboxId, Action onChange) : IDisposable
    {
        private int _disposed;

        public long MailboxId { get; } = mailboxId;

        public Action OnChange { get; } = onChange;

        public bool Disposed => Volatile.Read(ref _disposed) != 0;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                store.Unwatch(this);
            }
        }
    }

    [LoggerMessage(EventId = 505, Level = LogLevel.Error, Message = "A change watcher of mailbox {MailboxId} threw; the change itself is committed")]
    private partial void LogWatcherFailed(Exception exception, long mailboxId);
}
