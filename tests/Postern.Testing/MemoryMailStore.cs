using Postern.Storage;

namespace Postern.Testing;

/// <summary>
/// An in-memory <see cref="IMailStore"/> for protocol unit tests (bytes in, no sockets, no disk).
/// The real store has its own tests; this one only has to behave like it: per-mailbox MODSEQ
/// counters, expunge tombstones, and change notifications sent after the lock is released.
/// </summary>
public sealed class MemoryMailStore : IMailStore
{
    private readonly object _gate = new();
    private readonly HashSet<string> _domains = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<Account> _accounts = [];
    private readonly List<Box> _boxes = [];
    private readonly HashSet<(long AccountId, string Name)> _subscriptions = [];
    private readonly HashSet<long> _maildropLocks = [];
    private readonly List<(long MailboxId, Action OnChange)> _watchers = [];
    private long _nextId = 1;
    private uint _nextUidValidity = 1;

    /// <summary>Messages accepted by SMTP, for assertions.</summary>
    public List<(InboundMessage Envelope, byte[] Content)> Accepted { get; } = [];

    private sealed class Box
    {
        public required long Id;
        public required long AccountId;
        public required string Name;
        public string? SpecialUse;
        public uint UidValidity = 1;
        public uint UidNext = 1;
        public ulong HighestModSeq = 1;
        public uint RecentUid = 1;
        public readonly List<string> Keywords = [];
        public readonly List<(MessageInfo Info, byte[] Body)> Messages = [];
        public readonly List<(uint Uid, ulong ModSeq)> Tombstones = [];
    }

    public Task<IReadOnlyList<string>> ListDomainsAsync(CancellationToken ct = default)
    {
        lock (_gate) { return Task.FromResult<IReadOnlyList<string>>([.. _domains]); }
    }

    public Task<bool> IsLocalDomainAsync(string domain, CancellationToken ct = default)
    {
        lock (_gate) { return Task.FromResult(_domains.Contains(domain)); }
    }

    public Task<bool> AddDomainAsync(string domain, CancellationToken ct = default)
    {
        lock (_gate) { return Task.FromResult(_domains.Add(domain)); }
    }

    public Task<bool> RemoveDomainAsync(string domain, CancellationToken ct = default)
    {
        lock (_gate) { return Task.FromResult(_domains.Remove(domain)); }
    }

    public Task<Account?> FindAccountAsync(string address, CancellationToken ct = default)
    {
        lock (_gate)
        {
            return Task.FromResult(_accounts.FirstOrDefault(a => string.Equals(a.Address, address, StringComparison.OrdinalIgnoreCase)));
        }
    }

    public Task<IReadOnlyList<Account>> ListAccountsAsync(CancellationToken ct = default)
    {
        lock (_gate) { return Task.FromResult<IReadOnlyList<Account>>([.. _accounts]); }
    }

    public Task<Account> AddAccountAsync(string address, string passwordHash, CancellationToken ct = default)
    {
        lock (_gate)
        {
            var account = new Account(_nextId++, address.ToLowerInvariant(), passwordHash);
            _accounts.Add(account);
            foreach (var (name, use) in DefaultMailboxes.All)
            {
                NewBox(account.Id, name, use);
                _subscriptions.Add((account.Id, name));
            }

            return Task.FromResult(account);
        }
    }

    public Task<bool> RemoveAccountAsync(string address, CancellationToken ct = default)
    {
        lock (_gate)
        {
            var gone = _accounts.Where(a => string.Equals(a.Address, address, StringComparison.OrdinalIgnoreCase)).Select(a => a.Id).ToHashSet();
            _subscriptions.RemoveWhere(s => gone.Contains(s.AccountId));
            return Task.FromResult(_accounts.RemoveAll(a => gone.Contains(a.Id)) > 0);
        }
    }

    public Task<bool> SetPasswordHashAsync(string address, string passwordHash, CancellationToken ct = default)
    {
        lock (_gate)
        {
            int i = _accounts.FindIndex(a => string.Equals(a.Address, address, StringComparison.OrdinalIgnoreCase));
            if (i < 0)
            {
                return Task.FromResult(false);
            }

            _accounts[i] = _accounts[i] with { PasswordHash = passwordHash };
            return Task.FromResult(true);
        }
    }

    public Task<IReadOnlyList<MailboxInfo>> ListMailboxesAsync(long accountId, CancellationToken ct = default)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<MailboxInfo>>([.. _boxes.Where(b => b.AccountId == accountId).Select(Info)]);
        }
    }

    public Task<MailboxInfo?> GetMailboxAsync(long accountId, string name, CancellationToken ct = default)
    {
        lock (_gate)
        {
            var box = Find(accountId, name);
            return Task.FromResult(box is null ? null : Info(box));
        }
    }

    public Task<MailboxInfo> CreateMailboxAsync(long accountId, string name, string? specialUse = null, CancellationToken ct = default)
    {
        lock (_gate)
        {
            CheckName(name);
            if (Find(accountId, name) is not null)
            {
                throw new MailboxException(MailboxError.AlreadyExists, "Mailbox exists");
            }

            // Missing parents are created too (RFC 9051 6.3.4).
            var parts = name.Split('/');
            for (int i = 1; i < parts.Length; i++)
            {
                string parent = string.Join('/', parts[..i]);
                if (Find(accountId, parent) is null)
                {
                    NewBox(accountId, parent, null);
                }
            }

            return Task.FromResult(Info(NewBox(accountId, name, specialUse)));
        }
    }

    public Task DeleteMailboxAsync(long accountId, string name, CancellationToken ct = default)
    {
        List<Action> notify;
        lock (_gate)
        {
            var box = Find(accountId, name) ?? throw new MailboxException(MailboxError.NotFound, "No such mailbox");
            if (box.Name == "INBOX")
            {
                throw new MailboxException(MailboxError.NotAllowed, "INBOX cannot be deleted");
            }

            if (_boxes.Any(b => b.AccountId == accountId && b.Name.StartsWith(box.Name + "/", StringComparison.Ordinal)))
            {
                throw new MailboxException(MailboxError.NotAllowed, "Mailbox has children");
            }

            _boxes.Remove(box);
            notify = Watchers(box.Id);
        }

        Notify(notify);
        return Task.CompletedTask;
    }

    public Task RenameMailboxAsync(long accountId, string oldName, string newName, CancellationToken ct = default)
    {
        List<Action> notify = [];
        lock (_gate)
        {
            CheckName(newName);
            var box = Find(accountId, oldName) ?? throw new MailboxException(MailboxError.NotFound, "No such mailbox");
            if (Find(accountId, newName) is not null)
            {
                throw new MailboxException(MailboxError.AlreadyExists, "Target mailbox exists");
            }

            if (newName.StartsWith(box.Name + "/", StringComparison.Ordinal))
            {
                throw new MailboxException(MailboxError.InvalidName, "Cannot rename a mailbox into itself");
            }

            var parts = newName.Split('/');
            for (int i = 1; i < parts.Length; i++)
            {
                string parent = string.Join('/', parts[..i]);
                if (Find(accountId, parent) is null)
                {
                    NewBox(accountId, parent, null);
                }
            }

            if (box.Name == "INBOX")
            {
                // Renaming INBOX moves its messages to a new mailbox and leaves INBOX empty (RFC 9051 6.3.6).
                var target = NewBox(accountId, newName, null);
                foreach (var m in box.Messages)
                {
                    uint uid = target.UidNext++;
                    target.Messages.Add((m.Info with { Uid = uid, ModSeq = ++target.HighestModSeq }, m.Body));
                }

                target.Keywords.AddRange(box.Keywords);
                foreach (var m in box.Messages)
                {
                    box.Tombstones.Add((m.Info.Uid, ++box.HighestModSeq));
                }

                box.Messages.Clear();
                notify = Watchers(box.Id);
            }
            else
            {
                // Subscriptions follow the mailboxes, as in the SQLite store.
                string prefix = box.Name + "/";
                foreach (var child in _boxes.Where(b => b.AccountId == accountId && b.Name.StartsWith(prefix, StringComparison.Ordinal)))
                {
                    Resubscribe(accountId, child.Name, newName + "/" + child.Name[prefix.Length..]);
                    child.Name = newName + "/" + child.Name[prefix.Length..];
                }

                Resubscribe(accountId, box.Name, newName);
                box.Name = newName;
            }
        }

        Notify(notify);
        return Task.CompletedTask;
    }

    public Task SetSubscribedAsync(long accountId, string name, bool subscribed, CancellationToken ct = default)
    {
        lock (_gate)
        {
            var box = Find(accountId, name);
            string stored = box?.Name ?? name;
            if (subscribed)
            {
                _subscriptions.Add((accountId, box?.Name ?? throw new MailboxException(MailboxError.NotFound, "No such mailbox")));
            }
            else if (!_subscriptions.Remove((accountId, stored)) && box is null)
            {
                throw new MailboxException(MailboxError.NotFound, "No such mailbox or subscription");
            }

            return Task.CompletedTask;
        }
    }

    public Task<uint> ClaimRecentAsync(long mailboxId, uint upTo, CancellationToken ct = default)
    {
        lock (_gate)
        {
            var box = _boxes.FirstOrDefault(b => b.Id == mailboxId);
            if (box is null)
            {
                return Task.FromResult(0u);
            }

            uint before = box.RecentUid;
            box.RecentUid = Math.Max(before, upTo);
            return Task.FromResult(before);
        }
    }

    public Task<int> CountRecentAsync(long mailboxId, CancellationToken ct = default)
    {
        lock (_gate)
        {
            var box = _boxes.FirstOrDefault(b => b.Id == mailboxId);
            return Task.FromResult(box is null ? 0 : box.Messages.Count(m => m.Info.Uid >= box.RecentUid));
        }
    }

    public Task<IReadOnlyList<string>> ListSubscriptionsAsync(long accountId, CancellationToken ct = default)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<string>>([.. _subscriptions.Where(s => s.AccountId == accountId).Select(s => s.Name).Order(StringComparer.Ordinal)]);
        }
    }

    private void Resubscribe(long accountId, string from, string to)
    {
        if (_subscriptions.Remove((accountId, from)))
        {
            _subscriptions.Add((accountId, to));
        }
    }

    public Task<long> GetAccountSizeAsync(long accountId, CancellationToken ct = default)
    {
        lock (_gate)
        {
            return Task.FromResult(_boxes.Where(b => b.AccountId == accountId).Sum(b => b.Messages.Sum(m => m.Info.Size)));
        }
    }

    public Task<IReadOnlyList<MessageInfo>> ListMessagesAsync(long mailboxId, CancellationToken ct = default)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<MessageInfo>>([.. BoxById(mailboxId).Messages.Select(m => m.Info)]);
        }
    }

    public Task<Stream?> OpenMessageAsync(long mailboxId, uint uid, CancellationToken ct = default)
    {
        lock (_gate)
        {
            var box = _boxes.FirstOrDefault(b => b.Id == mailboxId);
            var m = box?.Messages.FirstOrDefault(m => m.Info.Uid == uid) ?? default;
            return Task.FromResult<Stream?>(m.Body is null ? null : new MemoryStream(m.Body, writable: false));
        }
    }

    public Task<uint> AppendAsync(long mailboxId, Stream content, MessageFlags flags, DateTimeOffset internalDate, CancellationToken ct = default) =>
        AppendAsync(mailboxId, content, flags, [], internalDate, ct);

    public async Task<uint> AppendAsync(long mailboxId, Stream content, MessageFlags flags, IReadOnlyList<string> keywords, DateTimeOffset internalDate, CancellationToken ct = default)
    {
        var body = await ReadAllAsync(content, ct);
        List<Action> notify;
        uint uid;
        lock (_gate)
        {
            var box = BoxById(mailboxId);
            uid = box.UidNext++;
            var kw = Distinct(keywords);
            Remember(box, kw);
            box.Messages.Add((new MessageInfo(uid, flags, internalDate, body.Length) { Keywords = kw, ModSeq = ++box.HighestModSeq }, body));
            notify = Watchers(mailboxId);
        }

        Notify(notify);
        return uid;
    }

    public Task<CopyResult> CopyAsync(long sourceMailboxId, IReadOnlyList<uint> uids, long targetMailboxId, CancellationToken ct = default) =>
        Transfer(sourceMailboxId, uids, targetMailboxId, move: false);

    public Task<CopyResult> MoveAsync(long sourceMailboxId, IReadOnlyList<uint> uids, long targetMailboxId, CancellationToken ct = default) =>
        Transfer(sourceMailboxId, uids, targetMailboxId, move: true);

    private Task<CopyResult> Transfer(long sourceMailboxId, IReadOnlyList<uint> uids, long targetMailboxId, bool move)
    {
        List<Action> notify;
        CopyResult result;
        lock (_gate)
        {
            var source = BoxById(sourceMailboxId);
            var target = BoxById(targetMailboxId);
            var wanted = uids.ToHashSet();
            var chosen = source.Messages.Where(m => wanted.Contains(m.Info.Uid)).ToList();
            var from = new List<uint>();
            var to = new List<uint>();
            foreach (var (info, body) in chosen)
            {
                uint uid = target.UidNext++;
                Remember(target, info.Keywords);
                target.Messages.Add((info with { Uid = uid, ModSeq = ++target.HighestModSeq }, body));
                from.Add(info.Uid);
                to.Add(uid);
            }

            if (move)
            {
                source.Messages.RemoveAll(m => wanted.Contains(m.Info.Uid));
                foreach (uint uid in from)
                {
                    source.Tombstones.Add((uid, ++source.HighestModSeq));
                }
            }

            result = new CopyResult(target.UidValidity, from, to);
            notify = chosen.Count == 0 ? [] : [.. Watchers(targetMailboxId), .. move ? Watchers(sourceMailboxId) : []];
        }

        Notify(notify);
        return Task.FromResult(result);
    }

    public async Task AcceptAsync(InboundMessage message, Stream content, CancellationToken ct = default)
    {
        var body = await ReadAllAsync(content, ct);
        var notify = new List<Action>();
        lock (_gate)
        {
            Accepted.Add((message, body));
            foreach (long accountId in message.LocalAccounts.Distinct())
            {
                var box = _boxes.First(b => b.AccountId == accountId && b.Name == "INBOX");
                uint uid = box.UidNext++;
                box.Messages.Add((new MessageInfo(uid, MessageFlags.None, DateTimeOffset.UtcNow, body.Length) { ModSeq = ++box.HighestModSeq }, body));
                notify.AddRange(Watchers(box.Id));
            }
        }

        Notify(notify);
    }

    public async Task<IReadOnlyList<MessageInfo>> SetFlagsAsync(long mailboxId, IReadOnlyList<uint> uids, MessageFlags flags, FlagChange change, CancellationToken ct = default)
    {
        if (change != FlagChange.Replace)
        {
            return (await SetFlagsAsync(mailboxId, uids, flags, [], change, null, ct)).Changed;
        }

        // The old overload knows no keywords: replacing the system flags keeps each message's keywords.
        var changed = new List<MessageInfo>();
        List<Action> notify;
        lock (_gate)
        {
            var box = BoxById(mailboxId);
            var wanted = uids.ToHashSet();
            foreach (var (info, _) in box.Messages.Where(m => wanted.Contains(m.Info.Uid)).ToList())
            {
                changed.AddRange(SetFlagsLocked(box, [info.Uid], flags, info.Keywords, change, null).Changed);
            }

            notify = Watchers(mailboxId);
        }

        Notify(notify);
        return changed;
    }

    public Task<FlagUpdate> SetFlagsAsync(long mailboxId, IReadOnlyList<uint> uids, MessageFlags flags, IReadOnlyList<string> keywords, FlagChange change, ulong? unchangedSince, CancellationToken ct = default)
    {
        FlagUpdate result;
        List<Action> notify;
        lock (_gate)
        {
            var box = BoxById(mailboxId);
            result = SetFlagsLocked(box, uids, flags, keywords, change, unchangedSince);
            notify = Watchers(mailboxId);
        }

        Notify(notify);
        return Task.FromResult(result);
    }

    private static FlagUpdate SetFlagsLocked(Box box, IReadOnlyList<uint> uids, MessageFlags flags, IReadOnlyList<string> keywords, FlagChange change, ulong? unchangedSince)
    {
        var wanted = uids.ToHashSet();
        var changed = new List<MessageInfo>();
        var failed = new List<uint>();
        var kw = Distinct(keywords);
        if (change != FlagChange.Remove)
        {
            Remember(box, kw);
        }

        for (int i = 0; i < box.Messages.Count; i++)
        {
            var (info, body) = box.Messages[i];
            if (!wanted.Contains(info.Uid))
            {
                continue;
            }

            if (unchangedSince is { } since && info.ModSeq > since)
            {
                failed.Add(info.Uid);
                continue;
            }

            var f = change switch
            {
                FlagChange.Add => info.Flags | flags,
                FlagChange.Remove => info.Flags & ~flags,
                _ => flags,
            };
            IReadOnlyList<string> k = change switch
            {
                FlagChange.Add => Distinct([.. info.Keywords, .. kw]),
                FlagChange.Remove => [.. info.Keywords.Where(x => !kw.Contains(x, StringComparer.OrdinalIgnoreCase))],
                _ => kw,
            };
            bool same = f == info.Flags && k.Count == info.Keywords.Count && k.All(x => info.Keywords.Contains(x, StringComparer.OrdinalIgnoreCase));
            // Each changed message gets a new MODSEQ; the contract returns the messages "as they now are".
            box.Messages[i] = (same ? info : info with { Flags = f, Keywords = k, ModSeq = ++box.HighestModSeq }, body);
            changed.Add(box.Messages[i].Info);
        }

        return new FlagUpdate(changed, failed);
    }

    public Task<IReadOnlyList<uint>> ExpungedSinceAsync(long mailboxId, ulong modSeq, CancellationToken ct = default)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<uint>>([.. BoxById(mailboxId).Tombstones.Where(t => t.ModSeq > modSeq).Select(t => t.Uid).Order()]);
        }
    }

    public Task<IReadOnlyList<uint>> ExpungeAsync(long mailboxId, IReadOnlyList<uint>? uids = null, CancellationToken ct = default)
    {
        List<uint> gone;
        List<Action> notify;
        lock (_gate)
        {
            var box = BoxById(mailboxId);
            var limit = uids?.ToHashSet();
            gone = box.Messages
                .Where(m => m.Info.Flags.HasFlag(MessageFlags.Deleted) && (limit is null || limit.Contains(m.Info.Uid)))
                .Select(m => m.Info.Uid)
                .ToList();
            box.Messages.RemoveAll(m => gone.Contains(m.Info.Uid));
            foreach (uint uid in gone)
            {
                box.Tombstones.Add((uid, ++box.HighestModSeq));
            }

            notify = gone.Count == 0 ? [] : Watchers(mailboxId);
        }

        Notify(notify);
        return Task.FromResult<IReadOnlyList<uint>>(gone);
    }

    public Task<ulong> GetHighestModSeqAsync(long mailboxId, CancellationToken ct = default)
    {
        lock (_gate)
        {
            return Task.FromResult(_boxes.FirstOrDefault(b => b.Id == mailboxId)?.HighestModSeq ?? 0UL);
        }
    }

    public Task<IReadOnlyList<MessageInfo>> ListMessagesAsync(long mailboxId, ulong changedSince, CancellationToken ct = default)
    {
        lock (_gate)
        {
            var box = _boxes.FirstOrDefault(b => b.Id == mailboxId);
            return Task.FromResult<IReadOnlyList<MessageInfo>>(box is null ? [] : [.. box.Messages.Select(m => m.Info).Where(m => m.ModSeq > changedSince)]);
        }
    }

    public Task<ReadOnlyMemory<byte>?> ReadHeaderAsync(long mailboxId, uint uid, CancellationToken ct = default)
    {
        lock (_gate)
        {
            var body = BodyOf(mailboxId, uid);
            return Task.FromResult(body is null ? (ReadOnlyMemory<byte>?)null : Header(body));
        }
    }

    public async IAsyncEnumerable<(uint Uid, ReadOnlyMemory<byte> Header)> ReadHeadersAsync(long mailboxId, IReadOnlyList<uint> uids,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        List<(uint, ReadOnlyMemory<byte>)> found = [];
        lock (_gate)
        {
            HeaderBatches++;
            foreach (uint uid in uids)
            {
                if (BodyOf(mailboxId, uid) is { } body)
                {
                    found.Add((uid, Header(body)));
                }
            }
        }

        foreach (var item in found)
        {
            ct.ThrowIfCancellationRequested();
            yield return item;
        }

        await Task.CompletedTask;
    }

    /// <summary>Calls of <see cref="ReadHeadersAsync"/>, for tests that check headers are read in batches.</summary>
    public int HeaderBatches { get; private set; }

    public Task<IReadOnlyDictionary<uint, MessageStructure>> GetCachedStructuresAsync(long mailboxId, IReadOnlyList<uint> uids, CancellationToken ct = default)
    {
        lock (_gate)
        {
            var found = new Dictionary<uint, MessageStructure>();
            foreach (uint uid in uids)
            {
                if (BodyOf(mailboxId, uid) is { } body && _structures.TryGetValue(body, out var s))
                {
                    found[uid] = s;
                }
            }

            return Task.FromResult<IReadOnlyDictionary<uint, MessageStructure>>(found);
        }
    }

    public Task SetCachedStructuresAsync(long mailboxId, IReadOnlyList<(uint Uid, MessageStructure Structure)> structures, CancellationToken ct = default)
    {
        lock (_gate)
        {
            StructureWrites++;
            foreach (var (uid, structure) in structures)
            {
                if (BodyOf(mailboxId, uid) is { } body)
                {
                    _structures[body] = structure;
                }
            }

            return Task.CompletedTask;
        }
    }

    /// <summary>Calls of <see cref="SetCachedStructuresAsync"/>.</summary>
    public int StructureWrites { get; private set; }

    // Keyed by the body array, which copies share, as the SQLite store keys by blob.
    private readonly Dictionary<byte[], MessageStructure> _structures = new(ReferenceEqualityComparer.Instance);

    private byte[]? BodyOf(long mailboxId, uint uid)
    {
        var box = _boxes.FirstOrDefault(b => b.Id == mailboxId);
        return box?.Messages.FirstOrDefault(m => m.Info.Uid == uid).Body;
    }

    private static byte[] Header(byte[] body)
    {
        var span = body.AsSpan(0, Math.Min(body.Length, HeaderBlock.MaxRead));
        int end = HeaderBlock.End(span);
        return span[..(end < 0 ? span.Length : end)].ToArray();
    }

    public Task<int> CountQueuedAsync(CancellationToken ct = default)
    {
        lock (_gate) { return Task.FromResult(Accepted.Count(a => a.Envelope.RemoteRecipients.Count > 0)); }
    }

    public IDisposable WatchMailbox(long mailboxId, Action onChange)
    {
        var entry = (mailboxId, onChange);
        lock (_gate) { _watchers.Add(entry); }
        return new Unwatcher(this, entry);
    }

    public IDisposable? TryLockMaildrop(long accountId)
    {
        lock (_gate)
        {
            return _maildropLocks.Add(accountId) ? new Releaser(this, accountId) : null;
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private sealed class Releaser(MemoryMailStore store, long accountId) : IDisposable
    {
        public void Dispose()
        {
            lock (store._gate) { store._maildropLocks.Remove(accountId); }
        }
    }

    private sealed class Unwatcher(MemoryMailStore store, (long, Action) entry) : IDisposable
    {
        public void Dispose()
        {
            lock (store._gate) { store._watchers.Remove(entry); }
        }
    }

    private List<Action> Watchers(long mailboxId) => [.. _watchers.Where(w => w.MailboxId == mailboxId).Select(w => w.OnChange)];

    /// <summary>Called outside the lock, after the change is visible, as the contract promises.</summary>
    private static void Notify(List<Action> actions)
    {
        foreach (var a in actions)
        {
            a();
        }
    }

    private Box NewBox(long accountId, string name, string? specialUse)
    {
        var box = new Box { Id = _nextId++, AccountId = accountId, Name = name, SpecialUse = specialUse, UidValidity = _nextUidValidity++ };
        _boxes.Add(box);
        return box;
    }

    private static void CheckName(string name)
    {
        if (name.Length == 0 || name.Length > 255 || name.StartsWith('/') || name.EndsWith('/') || name.Contains("//", StringComparison.Ordinal)
            || name.Split('/').Any(p => p is "." or "..") || name.Any(char.IsControl))
        {
            throw new MailboxException(MailboxError.InvalidName, "Invalid mailbox name");
        }
    }

    private static void Remember(Box box, IReadOnlyList<string> keywords)
    {
        foreach (var k in keywords)
        {
            if (!box.Keywords.Contains(k, StringComparer.OrdinalIgnoreCase))
            {
                box.Keywords.Add(k);
            }
        }
    }

    private static List<string> Distinct(IEnumerable<string> keywords) => [.. keywords.Distinct(StringComparer.OrdinalIgnoreCase)];

    private Box BoxById(long id) => _boxes.FirstOrDefault(b => b.Id == id) ?? throw new MailboxException(MailboxError.NotFound, "Mailbox is gone");

    private Box? Find(long accountId, string name) => _boxes.FirstOrDefault(b => b.AccountId == accountId &&
        (string.Equals(name, "INBOX", StringComparison.OrdinalIgnoreCase) ? b.Name == "INBOX" : b.Name == name));

    private MailboxInfo Info(Box b) => new(
        b.Id, b.AccountId, b.Name, b.SpecialUse, b.UidValidity, b.UidNext,
        b.Messages.Count, b.Messages.Count(m => !m.Info.Flags.HasFlag(MessageFlags.Seen)),
        b.Messages.Sum(m => m.Info.Size), _subscriptions.Contains((b.AccountId, b.Name)))
    {
        HighestModSeq = b.HighestModSeq,
        DeletedCount = b.Messages.Count(m => m.Info.Flags.HasFlag(MessageFlags.Deleted)),
        Keywords = [.. b.Keywords],
    };

    private static async Task<byte[]> ReadAllAsync(Stream content, CancellationToken ct)
    {
        using var ms = new MemoryStream();
        await content.CopyToAsync(ms, ct);
        return ms.ToArray();
    }
}
