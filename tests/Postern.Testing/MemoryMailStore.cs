using Postern.Storage;

namespace Postern.Testing;

/// <summary>
/// An in-memory <see cref="IMailStore"/> for protocol unit tests (bytes in, no sockets, no disk).
/// It keeps the whole <see cref="IMailStore"/> contract, limits included: Postern.Storage.Tests
/// runs the same contract suite against it and against the SQLite store.
/// </summary>
public sealed class MemoryMailStore : IMailStore
{
    private const MessageFlags AllFlags = MessageFlags.Seen | MessageFlags.Answered | MessageFlags.Flagged | MessageFlags.Deleted | MessageFlags.Draft;

    private readonly object _gate = new();
    private readonly List<string> _domains = [];
    private readonly List<Account> _accounts = [];
    private readonly List<Box> _boxes = [];
    private readonly HashSet<(long AccountId, string Name)> _subscriptions = [];
    private readonly Dictionary<long, Releaser> _maildropLocks = [];
    private readonly List<Unwatcher> _watchers = [];
    private long _nextId = 1;
    private uint _nextUidValidity = 1;

    /// <summary>Messages accepted by SMTP, for assertions.</summary>
    public List<(InboundMessage Envelope, byte[] Content)> Accepted { get; } = [];

    /// <summary>
    /// Distinct message bodies held for mailboxes and the outbound queue: a copy or a delivery to
    /// several accounts shares one, as the SQLite store shares a body file.
    /// </summary>
    public int StoredBodies
    {
        get
        {
            lock (_gate)
            {
                var bodies = new HashSet<byte[]>(ReferenceEqualityComparer.Instance);
                bodies.UnionWith(_boxes.SelectMany(b => b.Messages).Select(m => m.Body));
                bodies.UnionWith(Accepted.Where(a => a.Envelope.RemoteRecipients.Count > 0).Select(a => a.Content));
                return bodies.Count;
            }
        }
    }

    /// <summary>
    /// Calls of the methods that change mail or mailboxes, counted on entry (before any check), so a
    /// protocol test can show that a command was refused before it reached the store.
    /// </summary>
    public int WriteCalls => Volatile.Read(ref _writeCalls);

    private int _writeCalls;

    /// <summary>Exceptions thrown by change watchers (the contract keeps them from the writer), for assertions.</summary>
    public List<Exception> WatcherFailures { get; } = [];

    private sealed class Box
    {
        public required long Id;
        public required long AccountId;
        public required string Name;
        public string? SpecialUse;
        public uint UidValidity = 1;
        public uint UidNext = 1;
        public ulong HighestModSeq = 1;

        /// <summary>The first UID no session has claimed as \Recent (IMailStore.ClaimRecentAsync).</summary>
        public uint RecentUid = 1;
        public readonly List<(MessageInfo Info, byte[] Body)> Messages = [];
        public readonly List<(uint Uid, ulong ModSeq)> Tombstones = [];
    }

    // ---- domains

    public Task<IReadOnlyList<string>> ListDomainsAsync(CancellationToken ct = default)
    {
        lock (_gate) { return Task.FromResult<IReadOnlyList<string>>([.. _domains.Order(StringComparer.Ordinal)]); }
    }

    public Task<bool> IsLocalDomainAsync(string domain, CancellationToken ct = default)
    {
        string? name = AddressRules.TryDomain(domain);
        lock (_gate) { return Task.FromResult(name is not null && _domains.Contains(name)); }
    }

    public Task<bool> AddDomainAsync(string domain, CancellationToken ct = default)
    {
        string name = AddressRules.Domain(domain, nameof(domain));
        lock (_gate)
        {
            if (_domains.Contains(name))
            {
                return Task.FromResult(false);
            }

            _domains.Add(name);
            return Task.FromResult(true);
        }
    }

    public Task<bool> RemoveDomainAsync(string domain, CancellationToken ct = default)
    {
        string? name = AddressRules.TryDomain(domain);
        lock (_gate)
        {
            if (name is null || !_domains.Contains(name))
            {
                return Task.FromResult(false);
            }

            int accounts = _accounts.Count(a => a.Address.EndsWith("@" + name, StringComparison.Ordinal));
            if (accounts > 0)
            {
                throw new InvalidOperationException($"The domain {name} still has {accounts} account(s); remove them before removing the domain.");
            }

            return Task.FromResult(_domains.Remove(name));
        }
    }

    // ---- accounts

    public Task<Account?> FindAccountAsync(string address, CancellationToken ct = default)
    {
        var name = AddressRules.TryAddress(address);
        lock (_gate) { return Task.FromResult(name is null ? null : _accounts.FirstOrDefault(a => a.Address == name.Value.Address)); }
    }

    public Task<IReadOnlyList<Account>> ListAccountsAsync(CancellationToken ct = default)
    {
        lock (_gate) { return Task.FromResult<IReadOnlyList<Account>>([.. _accounts.OrderBy(a => a.Address, StringComparer.Ordinal)]); }
    }

    public Task<Account> AddAccountAsync(string address, string passwordHash, Storage.Accounts.ScramKeys? scram = null, CancellationToken ct = default)
    {
        var (normalized, domain) = AddressRules.Address(address, nameof(address));
        ArgumentException.ThrowIfNullOrEmpty(passwordHash);
        lock (_gate)
        {
            if (!_domains.Contains(domain))
            {
                throw new InvalidOperationException($"The domain {domain} is not a local domain; add the domain before adding {normalized}.");
            }

            if (_accounts.Any(a => a.Address == normalized))
            {
                throw new InvalidOperationException($"The account {normalized} already exists.");
            }

            var account = new Account(_nextId++, normalized, passwordHash, scram);
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
        var name = AddressRules.TryAddress(address);
        lock (_gate)
        {
            var account = name is null ? null : _accounts.FirstOrDefault(a => a.Address == name.Value.Address);
            if (account is null)
            {
                return Task.FromResult(false);
            }

            _accounts.Remove(account);
            _boxes.RemoveAll(b => b.AccountId == account.Id);
            _subscriptions.RemoveWhere(s => s.AccountId == account.Id);
            return Task.FromResult(true);
        }
    }

    public Task<bool> SetPasswordHashAsync(string address, string passwordHash, Storage.Accounts.ScramKeys? scram = null, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(passwordHash);
        var name = AddressRules.TryAddress(address);
        lock (_gate)
        {
            int i = name is null ? -1 : _accounts.FindIndex(a => a.Address == name.Value.Address);
            if (i < 0)
            {
                return Task.FromResult(false);
            }

            _accounts[i] = _accounts[i] with { PasswordHash = passwordHash, Scram = scram };
            return Task.FromResult(true);
        }
    }

    public Task<bool> SetScramKeysAsync(string address, string verifiedPasswordHash, Storage.Accounts.ScramKeys scram, CancellationToken ct = default)
    {
        lock (_gate)
        {
            // As the SQLite store: only while the account still has the hash the password was checked against.
            int i = _accounts.FindIndex(a => string.Equals(a.Address, address, StringComparison.OrdinalIgnoreCase) && a.PasswordHash == verifiedPasswordHash);
            if (i < 0)
            {
                return Task.FromResult(false);
            }

            _accounts[i] = _accounts[i] with { Scram = scram };
            return Task.FromResult(true);
        }
    }

    // ---- mailboxes

    public Task<IReadOnlyList<MailboxInfo>> ListMailboxesAsync(long accountId, CancellationToken ct = default)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<MailboxInfo>>([.. _boxes
                .Where(b => b.AccountId == accountId)
                .OrderBy(b => b.Name != MailboxNameRules.Inbox)
                .ThenBy(b => b.Name, StringComparer.Ordinal)
                .Select(Info)]);
        }
    }

    public Task<MailboxInfo?> GetMailboxAsync(long accountId, string name, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        lock (_gate)
        {
            var box = Find(accountId, MailboxNameRules.Normalize(name));
            return Task.FromResult(box is null ? null : Info(box));
        }
    }

    public Task<MailboxInfo> CreateMailboxAsync(long accountId, string name, string? specialUse = null, CancellationToken ct = default)
    {
        Interlocked.Increment(ref _writeCalls);
        string normalized = MailboxNameRules.Validate(name);
        if (MailboxNameRules.IsInbox(normalized))
        {
            throw new MailboxException(MailboxError.AlreadyExists, "INBOX always exists.");
        }

        lock (_gate)
        {
            RequireAccount(accountId);
            if (Find(accountId, normalized) is not null)
            {
                throw new MailboxException(MailboxError.AlreadyExists, "A mailbox of that name exists already.");
            }

            CreateMissingAncestors(accountId, normalized);
            return Task.FromResult(Info(NewBox(accountId, normalized, specialUse)));
        }
    }

    public Task DeleteMailboxAsync(long accountId, string name, CancellationToken ct = default)
    {
        Interlocked.Increment(ref _writeCalls);
        ArgumentNullException.ThrowIfNull(name);
        string normalized = MailboxNameRules.Normalize(name);
        if (MailboxNameRules.IsInbox(normalized))
        {
            throw new MailboxException(MailboxError.NotAllowed, "INBOX cannot be deleted.");
        }

        List<Action> notify;
        lock (_gate)
        {
            RequireAccount(accountId);
            var box = Find(accountId, normalized) ?? throw new MailboxException(MailboxError.NotFound, "No mailbox of that name.");
            if (_boxes.Any(b => b.AccountId == accountId && MailboxNameRules.IsDescendant(b.Name, box.Name)))
            {
                throw new MailboxException(MailboxError.NotAllowed, "The mailbox has child mailboxes; delete them first.");
            }

            _boxes.Remove(box);
            notify = Watchers(box.Id);
        }

        Notify(notify);
        return Task.CompletedTask;
    }

    public Task RenameMailboxAsync(long accountId, string oldName, string newName, CancellationToken ct = default)
    {
        Interlocked.Increment(ref _writeCalls);
        ArgumentNullException.ThrowIfNull(oldName);
        string from = MailboxNameRules.Normalize(oldName);
        string to = MailboxNameRules.Validate(newName);
        if (MailboxNameRules.IsInbox(to))
        {
            throw new MailboxException(MailboxError.AlreadyExists, "INBOX always exists.");
        }

        List<Action> notify;
        lock (_gate)
        {
            RequireAccount(accountId);
            var box = Find(accountId, from) ?? throw new MailboxException(MailboxError.NotFound, "No mailbox of that name.");
            if (Find(accountId, to) is not null)
            {
                throw new MailboxException(MailboxError.AlreadyExists, "A mailbox of the new name exists already.");
            }

            if (MailboxNameRules.IsInbox(from))
            {
                // RFC 9051 6.3.6: renaming INBOX moves its messages to a new mailbox and leaves INBOX
                // empty; INBOX's children stay where they are.
                CreateMissingAncestors(accountId, to);
                var target = NewBox(accountId, to, null);
                TransferLocked(box, [.. box.Messages.Select(m => m.Info.Uid)], target, move: true);
                notify = [.. Watchers(box.Id), .. Watchers(target.Id)];
            }
            else
            {
                if (MailboxNameRules.IsDescendant(to, from))
                {
                    throw new MailboxException(MailboxError.InvalidName, "A mailbox cannot be renamed into its own hierarchy.");
                }

                // Every new name is checked before anything changes: the rename happens whole or not at all.
                var renames = new List<(Box Box, string Name)>();
                foreach (var b in _boxes.Where(b => b.AccountId == accountId && (b.Name == from || MailboxNameRules.IsDescendant(b.Name, from))))
                {
                    string target = MailboxNameRules.Validate(to + b.Name[from.Length..]);
                    if (Find(accountId, target) is not null)
                    {
                        throw new MailboxException(MailboxError.AlreadyExists, "A mailbox of a new child name exists already.");
                    }

                    renames.Add((b, target));
                }

                CreateMissingAncestors(accountId, to);
                foreach (var (b, target) in renames)
                {
                    // Subscriptions follow the mailboxes, as in the SQLite store.
                    if (_subscriptions.Remove((accountId, b.Name)))
                    {
                        _subscriptions.Add((accountId, target));
                    }

                    b.Name = target;
                }

                notify = [.. renames.SelectMany(r => Watchers(r.Box.Id))];
            }
        }

        Notify(notify);
        return Task.CompletedTask;
    }

    public Task SetSubscribedAsync(long accountId, string name, bool subscribed, CancellationToken ct = default)
    {
        Interlocked.Increment(ref _writeCalls);
        ArgumentNullException.ThrowIfNull(name);
        string normalized = MailboxNameRules.Normalize(name);
        lock (_gate)
        {
            // Subscriptions are names apart from mailboxes (RFC 3501 6.3.6), as in the SQLite store.
            bool exists = Find(accountId, normalized) is not null;
            if (subscribed && !exists)
            {
                throw new MailboxException(MailboxError.NotFound, "No mailbox of that name.");
            }

            bool changed = subscribed ? _subscriptions.Add((accountId, normalized)) : _subscriptions.Remove((accountId, normalized));
            return changed || exists
                ? Task.CompletedTask
                : throw new MailboxException(MailboxError.NotFound, "No mailbox or subscription of that name.");
        }
    }

    public Task<IReadOnlyList<string>> ListSubscriptionsAsync(long accountId, CancellationToken ct = default)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<string>>([.. _subscriptions.Where(s => s.AccountId == accountId).Select(s => s.Name).Order(StringComparer.Ordinal)]);
        }
    }

    public Task<uint> ClaimRecentAsync(long mailboxId, uint upTo, CancellationToken ct = default)
    {
        lock (_gate)
        {
            var box = BoxOrNull(mailboxId);
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
            var box = BoxOrNull(mailboxId);
            return Task.FromResult(box is null ? 0 : box.Messages.Count(m => m.Info.Uid >= box.RecentUid));
        }
    }

    public Task<long> GetAccountSizeAsync(long accountId, CancellationToken ct = default)
    {
        lock (_gate)
        {
            return Task.FromResult(_boxes.Where(b => b.AccountId == accountId).Sum(b => b.Messages.Sum(m => m.Info.Size)));
        }
    }

    // ---- messages

    public Task<IReadOnlyList<MessageInfo>> ListMessagesAsync(long mailboxId, CancellationToken ct = default)
    {
        lock (_gate)
        {
            // A mailbox that does not exist (any more) reads as empty (the contract).
            return Task.FromResult<IReadOnlyList<MessageInfo>>([.. BoxOrNull(mailboxId)?.Messages.Select(m => m.Info) ?? []]);
        }
    }

    public Task<Stream?> OpenMessageAsync(long mailboxId, uint uid, CancellationToken ct = default)
    {
        lock (_gate)
        {
            var body = BodyOf(mailboxId, uid);
            return Task.FromResult<Stream?>(body is null ? null : new MemoryStream(body, writable: false));
        }
    }

    public Task<uint> AppendAsync(long mailboxId, Stream content, MessageFlags flags, DateTimeOffset internalDate, CancellationToken ct = default) =>
        AppendAsync(mailboxId, content, flags, [], internalDate, ct);

    public async Task<uint> AppendAsync(long mailboxId, Stream content, MessageFlags flags, IReadOnlyList<string> keywords, DateTimeOffset internalDate, CancellationToken ct = default)
    {
        Interlocked.Increment(ref _writeCalls);
        ArgumentNullException.ThrowIfNull(content);
        var checkedKeywords = MessageKeywords.Validate(keywords, nameof(keywords));
        var body = await ReadAllAsync(content, ct);
        List<Action> notify;
        uint uid;
        lock (_gate)
        {
            var box = BoxOrNull(mailboxId) ?? throw MailboxGone();
            RequireUids(box, 1);
            var info = new MessageInfo(box.UidNext, flags & AllFlags, internalDate, body.Length) { Keywords = Shared(checkedKeywords) };
            CheckMailboxKeywords([.. box.Messages.Select(m => m.Info), info]);
            uid = box.UidNext++;
            box.Messages.Add((info with { ModSeq = ++box.HighestModSeq }, body));
            notify = Watchers(mailboxId);
        }

        Notify(notify);
        return uid;
    }

    public Task<CopyResult> CopyAsync(long sourceMailboxId, IReadOnlyList<uint> uids, long targetMailboxId, CancellationToken ct = default) =>
        TransferAsync(sourceMailboxId, uids, targetMailboxId, move: false);

    public Task<CopyResult> MoveAsync(long sourceMailboxId, IReadOnlyList<uint> uids, long targetMailboxId, CancellationToken ct = default) =>
        TransferAsync(sourceMailboxId, uids, targetMailboxId, move: true);

    private Task<CopyResult> TransferAsync(long sourceMailboxId, IReadOnlyList<uint> uids, long targetMailboxId, bool move)
    {
        Interlocked.Increment(ref _writeCalls);
        ArgumentNullException.ThrowIfNull(uids);
        List<Action> notify;
        CopyResult result;
        lock (_gate)
        {
            var source = BoxOrNull(sourceMailboxId) ?? throw MailboxGone();
            var target = BoxOrNull(targetMailboxId) ?? throw MailboxGone();
            if (source.AccountId != target.AccountId)
            {
                throw new ArgumentException("Messages can only be copied or moved between mailboxes of the same account.", nameof(targetMailboxId));
            }

            result = TransferLocked(source, uids, target, move);
            notify = result.SourceUids.Count == 0 ? [] : [.. Watchers(targetMailboxId), .. move ? Watchers(sourceMailboxId) : []];
        }

        Notify(notify);
        return Task.FromResult(result);
    }

    /// <summary>Copies or moves (in source-UID order, all or nothing) under the lock; bodies are shared, as SQLite shares blobs.</summary>
    private static CopyResult TransferLocked(Box source, IReadOnlyList<uint> uids, Box target, bool move)
    {
        var wanted = uids.ToHashSet();
        var chosen = source.Messages.Where(m => wanted.Contains(m.Info.Uid)).ToList();
        RequireUids(target, chosen.Count);
        CheckMailboxKeywords([.. target.Messages.Select(m => m.Info), .. chosen.Select(m => m.Info)]);
        var from = new List<uint>();
        var to = new List<uint>();
        foreach (var (info, body) in chosen)
        {
            uint uid = target.UidNext++;
            target.Messages.Add((info with { Uid = uid, ModSeq = ++target.HighestModSeq }, body));
            from.Add(info.Uid);
            to.Add(uid);
        }

        if (move)
        {
            // New UIDs are above every old one, so a move within one mailbox keeps its copies.
            var moved = from.ToHashSet();
            source.Messages.RemoveAll(m => moved.Contains(m.Info.Uid));
            foreach (uint uid in from)
            {
                source.Tombstones.Add((uid, ++source.HighestModSeq));
            }
        }

        return new CopyResult(target.UidValidity, from, to);
    }

    public async Task AcceptAsync(InboundMessage message, Stream content, CancellationToken ct = default)
    {
        Interlocked.Increment(ref _writeCalls);
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(content);
        long[] local = [.. message.LocalAccounts.Distinct()];
        if (local.Length == 0 && !message.RemoteRecipients.Any())
        {
            throw new ArgumentException("A message needs at least one local or remote recipient.", nameof(message));
        }

        var body = await ReadAllAsync(content, ct);
        var notify = new List<Action>();
        lock (_gate)
        {
            // All inboxes first: a message is stored for every recipient or for none.
            var inboxes = local.Select(id => _boxes.FirstOrDefault(b => b.AccountId == id && b.Name == MailboxNameRules.Inbox)
                ?? throw new InvalidOperationException($"Account {id} has no INBOX (it may have been removed); the message was not stored.")).ToList();
            inboxes.ForEach(box => RequireUids(box, 1));
            Accepted.Add((message, body));
            var now = DateTimeOffset.UtcNow;
            foreach (var box in inboxes)
            {
                box.Messages.Add((new MessageInfo(box.UidNext++, MessageFlags.None, now, body.Length) { ModSeq = ++box.HighestModSeq, Keywords = Shared([]) }, body));
                notify.AddRange(Watchers(box.Id));
            }
        }

        Notify(notify);
    }

    public Task<IReadOnlyList<MessageInfo>> SetFlagsAsync(long mailboxId, IReadOnlyList<uint> uids, MessageFlags flags, FlagChange change, CancellationToken ct = default)
    {
        Interlocked.Increment(ref _writeCalls);
        // The messages as they now are, changed or not (this overload's contract); no keywords, so Replace clears them.
        var (all, _, _) = ChangeFlags(mailboxId, uids, flags, [], change, null);
        return Task.FromResult<IReadOnlyList<MessageInfo>>(all);
    }

    public Task<FlagUpdate> SetFlagsAsync(long mailboxId, IReadOnlyList<uint> uids, MessageFlags flags, IReadOnlyList<string> keywords, FlagChange change, ulong? unchangedSince, CancellationToken ct = default)
    {
        Interlocked.Increment(ref _writeCalls);
        var checkedKeywords = MessageKeywords.Validate(keywords, nameof(keywords));
        var (_, changed, failed) = ChangeFlags(mailboxId, uids, flags, checkedKeywords, change, unchangedSince);
        return Task.FromResult(new FlagUpdate(changed, failed));
    }

    private (List<MessageInfo> All, List<MessageInfo> Changed, List<uint> Failed) ChangeFlags(
        long mailboxId, IReadOnlyList<uint> uids, MessageFlags flags, List<string> keywords, FlagChange change, ulong? unchangedSince)
    {
        ArgumentNullException.ThrowIfNull(uids);
        if (change is not (FlagChange.Replace or FlagChange.Add or FlagChange.Remove))
        {
            throw new ArgumentOutOfRangeException(nameof(change), change, "Unknown flag change.");
        }

        (List<MessageInfo>, List<MessageInfo>, List<uint>) result;
        List<Action> notify;
        lock (_gate)
        {
            result = ChangeFlagsLocked(mailboxId, uids, flags & AllFlags, keywords, change, unchangedSince);
            notify = result.Item2.Count == 0 ? [] : Watchers(mailboxId);
        }

        Notify(notify);
        return result;
    }

    private (List<MessageInfo> All, List<MessageInfo> Changed, List<uint> Failed) ChangeFlagsLocked(
        long mailboxId, IReadOnlyList<uint> uids, MessageFlags given, List<string> keywords, FlagChange change, ulong? unchangedSince)
    {
        List<MessageInfo> all = [];
        List<(int Index, MessageInfo Next)> pending = [];
        List<uint> failed = [];
        var box = BoxOrNull(mailboxId);
        var wanted = uids.ToHashSet();
        for (int i = 0; box is not null && i < box.Messages.Count; i++)
        {
            var info = box.Messages[i].Info;
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
                FlagChange.Add => info.Flags | given,
                FlagChange.Remove => info.Flags & ~given,
                _ => given,
            };
            var k = MessageKeywords.Apply(info.Keywords, keywords, change);
            if (f == info.Flags && k is null)
            {
                all.Add(info);
                continue;
            }

            pending.Add((i, info with { Flags = f, Keywords = k is null ? info.Keywords : Shared(k) }));
        }

        if (box is null || pending.Count == 0)
        {
            return (all, [], failed);
        }

        if (change != FlagChange.Remove && keywords.Count > 0)
        {
            var next = box.Messages.Select(m => m.Info).ToList();
            pending.ForEach(p => next[p.Index] = p.Next);
            CheckMailboxKeywords(next);
        }

        // Each changed message gets its own new MODSEQ, in UID order (RFC 7162 3.1.3).
        List<MessageInfo> changed = [];
        foreach (var (index, next) in pending)
        {
            var stored = next with { ModSeq = ++box.HighestModSeq };
            box.Messages[index] = (stored, box.Messages[index].Body);
            changed.Add(stored);
        }

        all.AddRange(changed);
        all.Sort((a, b) => a.Uid.CompareTo(b.Uid));
        return (all, changed, failed);
    }

    public Task<IReadOnlyList<uint>> ExpungedSinceAsync(long mailboxId, ulong modSeq, CancellationToken ct = default)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<uint>>([.. (BoxOrNull(mailboxId)?.Tombstones ?? []).Where(t => t.ModSeq > modSeq).Select(t => t.Uid).Order()]);
        }
    }

    public Task<IReadOnlyList<uint>> ExpungeAsync(long mailboxId, IReadOnlyList<uint>? uids = null, CancellationToken ct = default)
    {
        Interlocked.Increment(ref _writeCalls);
        List<uint> gone;
        List<Action> notify;
        lock (_gate)
        {
            var box = BoxOrNull(mailboxId);
            if (box is null)
            {
                return Task.FromResult<IReadOnlyList<uint>>([]);
            }

            var limit = uids?.ToHashSet();
            gone = [.. box.Messages
                .Where(m => m.Info.Flags.HasFlag(MessageFlags.Deleted) && (limit is null || limit.Contains(m.Info.Uid)))
                .Select(m => m.Info.Uid)];
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

    // ---- incremental and cached reads

    public Task<ulong> GetHighestModSeqAsync(long mailboxId, CancellationToken ct = default)
    {
        lock (_gate)
        {
            return Task.FromResult(BoxOrNull(mailboxId)?.HighestModSeq ?? 0UL);
        }
    }

    public Task<IReadOnlyList<MessageInfo>> ListMessagesAsync(long mailboxId, ulong changedSince, CancellationToken ct = default)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<MessageInfo>>([.. (BoxOrNull(mailboxId)?.Messages ?? []).Select(m => m.Info).Where(m => m.ModSeq > changedSince)]);
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

    private byte[]? BodyOf(long mailboxId, uint uid) =>
        BoxOrNull(mailboxId)?.Messages.FirstOrDefault(m => m.Info.Uid == uid).Body;

    private static byte[] Header(byte[] body)
    {
        var span = body.AsSpan(0, Math.Min(body.Length, HeaderBlock.MaxRead));
        int end = HeaderBlock.End(span);
        return span[..(end < 0 ? span.Length : end)].ToArray();
    }

    // ---- queue, notification, locks

    public Task<int> CountQueuedAsync(CancellationToken ct = default)
    {
        lock (_gate) { return Task.FromResult(Accepted.Count(a => a.Envelope.RemoteRecipients.Count > 0)); }
    }

    public IDisposable WatchMailbox(long mailboxId, Action onChange)
    {
        ArgumentNullException.ThrowIfNull(onChange);
        var watcher = new Unwatcher(this, mailboxId, onChange);
        lock (_gate) { _watchers.Add(watcher); }
        return watcher;
    }

    public IDisposable? TryLockMaildrop(long accountId)
    {
        lock (_gate)
        {
            if (_maildropLocks.ContainsKey(accountId))
            {
                return null;
            }

            var holder = new Releaser(this, accountId);
            _maildropLocks[accountId] = holder;
            return holder;
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private sealed class Releaser(MemoryMailStore store, long accountId) : IDisposable
    {
        public void Dispose()
        {
            // Only this holder's lock: a repeated Dispose must not release a later holder's.
            lock (store._gate)
            {
                if (store._maildropLocks.TryGetValue(accountId, out var holder) && holder == this)
                {
                    store._maildropLocks.Remove(accountId);
                }
            }
        }
    }

    private sealed class Unwatcher(MemoryMailStore store, long mailboxId, Action onChange) : IDisposable
    {
        public long MailboxId { get; } = mailboxId;

        public Action OnChange { get; } = onChange;

        public void Dispose()
        {
            lock (store._gate) { store._watchers.Remove(this); }
        }
    }

    private List<Action> Watchers(long mailboxId) => [.. _watchers.Where(w => w.MailboxId == mailboxId).Select(w => w.OnChange)];

    /// <summary>
    /// Runs the callbacks outside the lock, after the change is visible, as the contract promises; one
    /// that throws neither reaches the writer nor stops the others (it is kept in <see cref="WatcherFailures"/>).
    /// </summary>
    private void Notify(List<Action> actions)
    {
        foreach (var a in actions)
        {
            try
            {
                a();
            }
            catch (Exception e)
            {
                lock (_gate) { WatcherFailures.Add(e); }
            }
        }
    }

    // ---- helpers (under the lock)

    private Box NewBox(long accountId, string name, string? specialUse)
    {
        var box = new Box { Id = _nextId++, AccountId = accountId, Name = name, SpecialUse = specialUse, UidValidity = _nextUidValidity++ };
        _boxes.Add(box);
        return box;
    }

    /// <summary>RFC 9051 6.3.4: creating "a/b/c" creates "a" and "a/b" when they are missing.</summary>
    private void CreateMissingAncestors(long accountId, string name)
    {
        foreach (string ancestor in MailboxNameRules.Ancestors(name))
        {
            if (Find(accountId, ancestor) is null)
            {
                NewBox(accountId, ancestor, null);
            }
        }
    }

    private void RequireAccount(long accountId)
    {
        if (!_accounts.Any(a => a.Id == accountId))
        {
            throw new InvalidOperationException($"Account {accountId} does not exist.");
        }
    }

    private static void RequireUids(Box box, int count)
    {
        if ((ulong)box.UidNext + (ulong)count > StoreLimits.MaxUidNext)
        {
            throw StoreLimits.UidsExhausted();
        }
    }

    private static void CheckMailboxKeywords(IEnumerable<MessageInfo> messages) =>
        StoreLimits.CheckKeywordsPerMailbox(MessageKeywords.Distinct(messages.Select(m => m.Keywords)).Count);

    private static MailboxException MailboxGone() => new(MailboxError.NotFound, "The mailbox does not exist (it may have been deleted).");

    /// <summary>No keywords as one shared instance, so records of messages without keywords compare equal (as SQLite's do).</summary>
    private static IReadOnlyList<string> Shared(List<string> keywords) => keywords.Count == 0 ? Array.Empty<string>() : keywords;

    private Box? BoxOrNull(long id) => _boxes.FirstOrDefault(b => b.Id == id);

    private Box? Find(long accountId, string normalizedName) => _boxes.FirstOrDefault(b => b.AccountId == accountId && b.Name == normalizedName);

    private MailboxInfo Info(Box b) => new(
        b.Id, b.AccountId, b.Name, b.SpecialUse, b.UidValidity, b.UidNext,
        b.Messages.Count, b.Messages.Count(m => !m.Info.Flags.HasFlag(MessageFlags.Seen)),
        b.Messages.Sum(m => m.Info.Size), _subscriptions.Contains((b.AccountId, b.Name)))
    {
        HighestModSeq = b.HighestModSeq,
        DeletedCount = b.Messages.Count(m => m.Info.Flags.HasFlag(MessageFlags.Deleted)),
        Keywords = Shared(MessageKeywords.Distinct(b.Messages.Select(m => m.Info.Keywords))),
    };

    private static async Task<byte[]> ReadAllAsync(Stream content, CancellationToken ct)
    {
        using var ms = new MemoryStream();
        await content.CopyToAsync(ms, ct);
        return ms.ToArray();
    }
}
