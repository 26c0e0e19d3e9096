using Postern.Storage;

namespace Postern.Protocol.Tests.Support;

/// <summary>
/// An in-memory <see cref="IMailStore"/> for protocol unit tests (bytes in, no sockets, no disk).
/// The real store has its own tests; this one only has to behave like it.
/// </summary>
public sealed class MemoryMailStore : IMailStore
{
    private readonly object _gate = new();
    private readonly HashSet<string> _domains = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<Account> _accounts = [];
    private readonly List<Box> _boxes = [];
    private readonly HashSet<long> _maildropLocks = [];
    private long _nextId = 1;

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
        public readonly List<(MessageInfo Info, byte[] Body)> Messages = [];
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
                _boxes.Add(new Box { Id = _nextId++, AccountId = account.Id, Name = name, SpecialUse = use });
            }

            return Task.FromResult(account);
        }
    }

    public Task<bool> RemoveAccountAsync(string address, CancellationToken ct = default)
    {
        lock (_gate)
        {
            return Task.FromResult(_accounts.RemoveAll(a => string.Equals(a.Address, address, StringComparison.OrdinalIgnoreCase)) > 0);
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
            var m = BoxById(mailboxId).Messages.FirstOrDefault(m => m.Info.Uid == uid);
            return Task.FromResult<Stream?>(m.Body is null ? null : new MemoryStream(m.Body, writable: false));
        }
    }

    public async Task<uint> AppendAsync(long mailboxId, Stream content, MessageFlags flags, DateTimeOffset internalDate, CancellationToken ct = default)
    {
        var body = await ReadAllAsync(content, ct);
        lock (_gate)
        {
            var box = BoxById(mailboxId);
            uint uid = box.UidNext++;
            box.Messages.Add((new MessageInfo(uid, flags, internalDate, body.Length), body));
            return uid;
        }
    }

    public async Task AcceptAsync(InboundMessage message, Stream content, CancellationToken ct = default)
    {
        var body = await ReadAllAsync(content, ct);
        lock (_gate)
        {
            Accepted.Add((message, body));
            foreach (long accountId in message.LocalAccounts.Distinct())
            {
                var box = _boxes.First(b => b.AccountId == accountId && b.Name == "INBOX");
                uint uid = box.UidNext++;
                box.Messages.Add((new MessageInfo(uid, MessageFlags.None, DateTimeOffset.UtcNow, body.Length), body));
            }
        }
    }

    public Task<IReadOnlyList<MessageInfo>> SetFlagsAsync(long mailboxId, IReadOnlyList<uint> uids, MessageFlags flags, FlagChange change, CancellationToken ct = default)
    {
        lock (_gate)
        {
            var box = BoxById(mailboxId);
            var wanted = uids.ToHashSet();
            var changed = new List<MessageInfo>();
            for (int i = 0; i < box.Messages.Count; i++)
            {
                var (info, body) = box.Messages[i];
                if (!wanted.Contains(info.Uid))
                {
                    continue;
                }

                var f = change switch
                {
                    FlagChange.Add => info.Flags | flags,
                    FlagChange.Remove => info.Flags & ~flags,
                    _ => flags,
                };
                box.Messages[i] = (info with { Flags = f }, body);
                changed.Add(box.Messages[i].Info);
            }

            return Task.FromResult<IReadOnlyList<MessageInfo>>(changed);
        }
    }

    public Task<IReadOnlyList<uint>> ExpungeAsync(long mailboxId, IReadOnlyList<uint>? uids = null, CancellationToken ct = default)
    {
        lock (_gate)
        {
            var box = BoxById(mailboxId);
            var limit = uids?.ToHashSet();
            var gone = box.Messages
                .Where(m => m.Info.Flags.HasFlag(MessageFlags.Deleted) && (limit is null || limit.Contains(m.Info.Uid)))
                .Select(m => m.Info.Uid)
                .ToList();
            box.Messages.RemoveAll(m => gone.Contains(m.Info.Uid));
            return Task.FromResult<IReadOnlyList<uint>>(gone);
        }
    }

    public Task<int> CountQueuedAsync(CancellationToken ct = default)
    {
        lock (_gate) { return Task.FromResult(Accepted.Count(a => a.Envelope.RemoteRecipients.Count > 0)); }
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

    private Box BoxById(long id) => _boxes.First(b => b.Id == id);

    private Box? Find(long accountId, string name) => _boxes.FirstOrDefault(b => b.AccountId == accountId &&
        (string.Equals(name, "INBOX", StringComparison.OrdinalIgnoreCase) ? b.Name == "INBOX" : b.Name == name));

    private static MailboxInfo Info(Box b) => new(
        b.Id, b.AccountId, b.Name, b.SpecialUse, b.UidValidity, b.UidNext,
        b.Messages.Count, b.Messages.Count(m => !m.Info.Flags.HasFlag(MessageFlags.Seen)),
        b.Messages.Sum(m => m.Info.Size), Subscribed: true);

    private static async Task<byte[]> ReadAllAsync(Stream content, CancellationToken ct)
    {
        using var ms = new MemoryStream();
        await content.CopyToAsync(ms, ct);
        return ms.ToArray();
    }
}
