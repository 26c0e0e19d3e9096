using System.Collections.Concurrent;

namespace Postern.Storage.Sqlite;

/// <summary>
/// The POP3 exclusive-access lock per account (RFC 1939 section 8: a maildrop is opened by
/// one session at a time). In-process only: one Postern process owns an SQLite store.
/// </summary>
internal sealed class MaildropLocks
{
    private readonly ConcurrentDictionary<long, Holder> _held = new();

    public IDisposable? TryLock(long accountId)
    {
        var holder = new Holder(this, accountId);
        return _held.TryAdd(accountId, holder) ? holder : null;
    }

    private sealed class Holder(MaildropLocks owner, long accountId) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            // Remove only this holder's entry, once: a second Dispose must not free a lock
            // that a later session has taken since.
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                owner._held.TryRemove(new KeyValuePair<long, Holder>(accountId, this));
            }
        }
    }
}
