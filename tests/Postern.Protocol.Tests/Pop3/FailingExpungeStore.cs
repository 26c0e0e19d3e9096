using Postern.Storage;

namespace Postern.Protocol.Tests.Pop3;

/// <summary>Delegates to a real store but fails every expunge, to exercise UPDATE's error path.</summary>
internal sealed class FailingExpungeStore(IMailStore inner) : IMailStore
{
    public Task<IReadOnlyList<uint>> ExpungeAsync(long mailboxId, IReadOnlyList<uint>? uids = null, CancellationToken ct = default) =>
        throw new IOException("disk on fire");

    public Task<IReadOnlyList<string>> ListDomainsAsync(CancellationToken ct = default) => inner.ListDomainsAsync(ct);
    public Task<bool> IsLocalDomainAsync(string domain, CancellationToken ct = default) => inner.IsLocalDomainAsync(domain, ct);
    public Task<bool> AddDomainAsync(string domain, CancellationToken ct = default) => inner.AddDomainAsync(domain, ct);
    public Task<bool> RemoveDomainAsync(string domain, CancellationToken ct = default) => inner.RemoveDomainAsync(domain, ct);
    public Task<Account?> FindAccountAsync(string address, CancellationToken ct = default) => inner.FindAccountAsync(address, ct);
    public Task<IReadOnlyList<Account>> ListAccountsAsync(CancellationToken ct = default) => inner.ListAccountsAsync(ct);
    public Task<Account> AddAccountAsync(string address, string passwordHash, CancellationToken ct = default) => inner.AddAccountAsync(address, passwordHash, ct);
    public Task<bool> RemoveAccountAsync(string address, CancellationToken ct = default) => inner.RemoveAccountAsync(address, ct);
    public Task<bool> SetPasswordHashAsync(string address, string passwordHash, CancellationToken ct = default) => inner.SetPasswordHashAsync(address, passwordHash, ct);
    public Task<IReadOnlyList<MailboxInfo>> ListMailboxesAsync(long accountId, CancellationToken ct = default) => inner.ListMailboxesAsync(accountId, ct);
    public Task<MailboxInfo?> GetMailboxAsync(long accountId, string name, CancellationToken ct = default) => inner.GetMailboxAsync(accountId, name, ct);
    public Task<MailboxInfo> CreateMailboxAsync(long accountId, string name, string? specialUse = null, CancellationToken ct = default) => inner.CreateMailboxAsync(accountId, name, specialUse, ct);
    public Task DeleteMailboxAsync(long accountId, string name, CancellationToken ct = default) => inner.DeleteMailboxAsync(accountId, name, ct);
    public Task RenameMailboxAsync(long accountId, string oldName, string newName, CancellationToken ct = default) => inner.RenameMailboxAsync(accountId, oldName, newName, ct);
    public Task SetSubscribedAsync(long accountId, string name, bool subscribed, CancellationToken ct = default) => inner.SetSubscribedAsync(accountId, name, subscribed, ct);
    public Task<IReadOnlyList<string>> ListSubscriptionsAsync(long accountId, CancellationToken ct = default) => inner.ListSubscriptionsAsync(accountId, ct);
    public Task<uint> ClaimRecentAsync(long mailboxId, uint upTo, CancellationToken ct = default) => inner.ClaimRecentAsync(mailboxId, upTo, ct);
    public Task<int> CountRecentAsync(long mailboxId, CancellationToken ct = default) => inner.CountRecentAsync(mailboxId, ct);
    public Task<long> GetAccountSizeAsync(long accountId, CancellationToken ct = default) => inner.GetAccountSizeAsync(accountId, ct);
    public Task<IReadOnlyList<MessageInfo>> ListMessagesAsync(long mailboxId, CancellationToken ct = default) => inner.ListMessagesAsync(mailboxId, ct);
    public Task<Stream?> OpenMessageAsync(long mailboxId, uint uid, CancellationToken ct = default) => inner.OpenMessageAsync(mailboxId, uid, ct);
    public Task<uint> AppendAsync(long mailboxId, Stream content, MessageFlags flags, DateTimeOffset internalDate, CancellationToken ct = default) => inner.AppendAsync(mailboxId, content, flags, internalDate, ct);
    public Task<uint> AppendAsync(long mailboxId, Stream content, MessageFlags flags, IReadOnlyList<string> keywords, DateTimeOffset internalDate, CancellationToken ct = default) => inner.AppendAsync(mailboxId, content, flags, keywords, internalDate, ct);
    public Task<CopyResult> CopyAsync(long sourceMailboxId, IReadOnlyList<uint> uids, long targetMailboxId, CancellationToken ct = default) => inner.CopyAsync(sourceMailboxId, uids, targetMailboxId, ct);
    public Task<CopyResult> MoveAsync(long sourceMailboxId, IReadOnlyList<uint> uids, long targetMailboxId, CancellationToken ct = default) => inner.MoveAsync(sourceMailboxId, uids, targetMailboxId, ct);
    public Task AcceptAsync(InboundMessage message, Stream content, CancellationToken ct = default) => inner.AcceptAsync(message, content, ct);
    public Task<IReadOnlyList<MessageInfo>> SetFlagsAsync(long mailboxId, IReadOnlyList<uint> uids, MessageFlags flags, FlagChange change, CancellationToken ct = default) => inner.SetFlagsAsync(mailboxId, uids, flags, change, ct);
    public Task<FlagUpdate> SetFlagsAsync(long mailboxId, IReadOnlyList<uint> uids, MessageFlags flags, IReadOnlyList<string> keywords, FlagChange change, ulong? unchangedSince, CancellationToken ct = default) => inner.SetFlagsAsync(mailboxId, uids, flags, keywords, change, unchangedSince, ct);
    public Task<IReadOnlyList<uint>> ExpungedSinceAsync(long mailboxId, ulong modSeq, CancellationToken ct = default) => inner.ExpungedSinceAsync(mailboxId, modSeq, ct);
    public Task<int> CountQueuedAsync(CancellationToken ct = default) => inner.CountQueuedAsync(ct);
    public IDisposable WatchMailbox(long mailboxId, Action onChange) => inner.WatchMailbox(mailboxId, onChange);
    public IDisposable? TryLockMaildrop(long accountId) => inner.TryLockMaildrop(accountId);
    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
