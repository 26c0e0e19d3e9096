namespace Postern.Storage;

/// <summary>
/// Everything the protocols need from storage, in mail terms. The SQLite store implements it
/// for one node; a PostgreSQL store can implement it for several without any protocol change.
/// </summary>
/// <remarks>
/// <para>The contract every store keeps; Postern.Storage.Tests runs it as one suite (StoreContract)
/// against each store, so a store that passes it can replace another.</para>
/// <para>Durability: a method that stores a message returns only after the message body and
/// its metadata are on stable storage (file and directory fsynced, transaction committed), so
/// the caller may acknowledge it (SMTP 250, IMAP APPEND OK). A failure leaves nothing visible:
/// every method changes all it was asked to or nothing.</para>
/// <para>Limits: input beyond <see cref="StoreLimits"/> is refused with <see cref="StoreLimitException"/>
/// and changes nothing. Protocols check what they can beforehand; what only the store can count
/// (keywords in use in a mailbox, a message's keywords after an Add) they map from the exception.</para>
/// <para>Names: mailbox names follow <see cref="MailboxNameRules"/> ("/" separates levels, a first
/// level "INBOX" in any case is the inbox); keywords <see cref="MessageKeywords"/> (IMAP atoms,
/// case-insensitively unique per message, kept as first spelled); domains and addresses
/// <see cref="AddressRules"/> (lowercased). Malformed admin input is <see cref="ArgumentException"/>;
/// malformed lookups simply find nothing.</para>
/// <para>A mailbox id that does not exist, or no longer does (another session deleted the mailbox):
/// reads see an empty mailbox (no messages, HIGHESTMODSEQ 0, no bodies, headers or tombstones);
/// changes to its messages change nothing, as for missing UIDs; adding messages to it (append,
/// copy or move in or out) throws <see cref="MailboxException"/> NotFound. It is the protocol's
/// job to tell its client (IMAP: [NONEXISTENT], or BYE in IDLE).</para>
/// <para>Change notification: see <see cref="WatchMailbox"/>; only real changes are reported.</para>
/// </remarks>
public interface IMailStore : IAsyncDisposable
{
    // ---- domains

    Task<IReadOnlyList<string>> ListDomainsAsync(CancellationToken ct = default);

    /// <summary>True if mail for <paramref name="domain"/> (case-insensitive) is delivered here.</summary>
    Task<bool> IsLocalDomainAsync(string domain, CancellationToken ct = default);

    /// <summary>Adds a domain; false if it already existed.</summary>
    Task<bool> AddDomainAsync(string domain, CancellationToken ct = default);

    /// <summary>Removes a domain; false if it did not exist. <see cref="InvalidOperationException"/> while accounts use it.</summary>
    Task<bool> RemoveDomainAsync(string domain, CancellationToken ct = default);

    // ---- accounts

    /// <summary>Finds an account by address (case-insensitive).</summary>
    Task<Account?> FindAccountAsync(string address, CancellationToken ct = default);

    Task<IReadOnlyList<Account>> ListAccountsAsync(CancellationToken ct = default);

    /// <summary>
    /// Creates an account (address lowercased) with the <see cref="DefaultMailboxes"/>.
    /// <see cref="InvalidOperationException"/> when its domain is not local or the account exists.
    /// <paramref name="scram"/> are the SCRAM-SHA-256 keys for the same password (null: none yet).
    /// </summary>
    Task<Account> AddAccountAsync(string address, string passwordHash, Accounts.ScramKeys? scram = null, CancellationToken ct = default);

    /// <summary>Removes an account and all its mail; false if there was none.</summary>
    Task<bool> RemoveAccountAsync(string address, CancellationToken ct = default);

    /// <summary>
    /// Replaces the password hash and, in the same write, the SCRAM keys (null removes them, so
    /// keys for an old password never outlive it); false if there is no such account.
    /// </summary>
    Task<bool> SetPasswordHashAsync(string address, string passwordHash, Accounts.ScramKeys? scram = null, CancellationToken ct = default);

    /// <summary>
    /// Stores SCRAM keys derived from a password that was just checked against
    /// <paramref name="verifiedPasswordHash"/>. Only if the account still has that hash: a login
    /// racing with a password change must not leave keys for the old password. False otherwise.
    /// </summary>
    Task<bool> SetScramKeysAsync(string address, string verifiedPasswordHash, Accounts.ScramKeys scram, CancellationToken ct = default);

    // ---- mailboxes

    Task<IReadOnlyList<MailboxInfo>> ListMailboxesAsync(long accountId, CancellationToken ct = default);

    /// <summary>Finds a mailbox by name; "INBOX" in any case means the inbox.</summary>
    Task<MailboxInfo?> GetMailboxAsync(long accountId, string name, CancellationToken ct = default);

    /// <summary>
    /// Creates a mailbox (and any missing parents, RFC 9051 6.3.4) with a fresh UIDVALIDITY, never
    /// one used before. It is not subscribed unless its name still is from before (see
    /// <see cref="SetSubscribedAsync"/>). Throws <see cref="MailboxException"/> (AlreadyExists, also
    /// for INBOX; InvalidName) or <see cref="StoreLimitException"/> (name too long or too deep).
    /// </summary>
    Task<MailboxInfo> CreateMailboxAsync(long accountId, string name, string? specialUse = null, CancellationToken ct = default);

    /// <summary>
    /// Deletes a mailbox and its messages. INBOX cannot be deleted; a mailbox with children keeps
    /// existing as a container is not supported: deleting a parent with children is refused (NotAllowed).
    /// Its name stays subscribed (RFC 3501 6.3.6). Throws <see cref="MailboxException"/>.
    /// </summary>
    Task DeleteMailboxAsync(long accountId, string name, CancellationToken ct = default);

    /// <summary>
    /// Renames a mailbox and its children (keeping ids, UIDVALIDITY and UIDs, RFC 9051 6.3.6), all or
    /// none, and moves their subscriptions to the new names. Renaming INBOX moves its messages to a
    /// new mailbox of the new name and leaves INBOX empty with its children. Throws
    /// <see cref="MailboxException"/>, or <see cref="StoreLimitException"/> when the new name or a
    /// child's new name would be too long or too deep.
    /// </summary>
    Task RenameMailboxAsync(long accountId, string oldName, string newName, CancellationToken ct = default);

    /// <summary>
    /// Subscribes an existing mailbox, or unsubscribes a name. Subscriptions are names kept apart
    /// from the mailboxes (RFC 3501 6.3.6): deleting a mailbox leaves its name subscribed, and a
    /// subscribed name without a mailbox can still be unsubscribed. Throws
    /// <see cref="MailboxException"/> (NotFound) for a missing mailbox to subscribe, or a name that
    /// is neither a mailbox nor subscribed.
    /// </summary>
    Task SetSubscribedAsync(long accountId, string name, bool subscribed, CancellationToken ct = default);

    /// <summary>Every subscribed name of an account, whether a mailbox of that name exists or not, in ordinal order.</summary>
    Task<IReadOnlyList<string>> ListSubscriptionsAsync(long accountId, CancellationToken ct = default);

    /// <summary>
    /// \Recent (RFC 3501 2.3.2): the messages at or above a mailbox's first recent UID have not been
    /// shown as recent to any session. A session that selects the mailbox read-write claims them:
    /// the first recent UID moves up to <paramref name="upTo"/> (never down) in one atomic step and
    /// the value before is returned, so that session's recent messages are the UIDs from the
    /// returned value to below <paramref name="upTo"/>, and no other session ever gets them. With
    /// <paramref name="upTo"/> 0 it only reads (EXAMINE). The mark is kept with the mailbox, so it
    /// holds across sessions and restarts. 0 when the mailbox is gone.
    /// </summary>
    Task<uint> ClaimRecentAsync(long mailboxId, uint upTo, CancellationToken ct = default);

    /// <summary>How many messages of a mailbox no session has claimed as recent yet (STATUS RECENT); 0 when it is gone.</summary>
    Task<int> CountRecentAsync(long mailboxId, CancellationToken ct = default);

    /// <summary>Total size in octets of all messages of an account (RFC 9208 STORAGE usage).</summary>
    Task<long> GetAccountSizeAsync(long accountId, CancellationToken ct = default);

    // ---- messages

    /// <summary>All messages of a mailbox in ascending UID order (metadata only); empty for a mailbox that does not exist.</summary>
    Task<IReadOnlyList<MessageInfo>> ListMessagesAsync(long mailboxId, CancellationToken ct = default);

    /// <summary>Opens a message body for reading (a file stream; the caller disposes it). Null if the UID is gone.</summary>
    Task<Stream?> OpenMessageAsync(long mailboxId, uint uid, CancellationToken ct = default);

    /// <summary>
    /// Stores a message in a mailbox durably and returns its new UID (system flags other than
    /// <see cref="MessageFlags"/> are dropped). <see cref="MailboxException"/> NotFound when the mailbox
    /// does not exist; <see cref="StoreLimitException"/> when it has no UID left.
    /// </summary>
    Task<uint> AppendAsync(long mailboxId, Stream content, MessageFlags flags, DateTimeOffset internalDate, CancellationToken ct = default);

    /// <summary>
    /// Like <see cref="AppendAsync(long, Stream, MessageFlags, DateTimeOffset, CancellationToken)"/>, with
    /// keywords: <see cref="ArgumentException"/> for one that is not an atom, <see cref="StoreLimitException"/>
    /// for one too long, too many, or more keywords in use in the mailbox than allowed.
    /// </summary>
    Task<uint> AppendAsync(long mailboxId, Stream content, MessageFlags flags, IReadOnlyList<string> keywords, DateTimeOffset internalDate, CancellationToken ct = default);

    /// <summary>
    /// Copies messages (flags, keywords and internal date included; bodies shared, not duplicated)
    /// into a mailbox of the same account (<see cref="ArgumentException"/> otherwise) in one
    /// transaction; target UIDs ascend in source-UID order. Missing source UIDs are skipped.
    /// <see cref="MailboxException"/> NotFound when either mailbox does not exist;
    /// <see cref="StoreLimitException"/> when the target would use too many keywords or has no UIDs left.
    /// </summary>
    Task<CopyResult> CopyAsync(long sourceMailboxId, IReadOnlyList<uint> uids, long targetMailboxId, CancellationToken ct = default);

    /// <summary>Like <see cref="CopyAsync"/>, and removes the messages from the source in the same transaction (RFC 6851).</summary>
    Task<CopyResult> MoveAsync(long sourceMailboxId, IReadOnlyList<uint> uids, long targetMailboxId, CancellationToken ct = default);

    /// <summary>
    /// Stores one message accepted by SMTP for all its recipients in one durable step: a copy in each
    /// local account's INBOX and one entry in the outbound queue for the remote recipients. All or
    /// nothing: <see cref="InvalidOperationException"/> (nothing stored) when an account has no INBOX.
    /// </summary>
    Task AcceptAsync(InboundMessage message, Stream content, CancellationToken ct = default);

    /// <summary>
    /// Changes flags of the given UIDs (missing UIDs are ignored) and returns those messages as they now
    /// are, changed or not, in UID order. It passes no keywords: Replace clears a message's keywords.
    /// </summary>
    Task<IReadOnlyList<MessageInfo>> SetFlagsAsync(long mailboxId, IReadOnlyList<uint> uids, MessageFlags flags, FlagChange change, CancellationToken ct = default);

    /// <summary>
    /// Changes system flags and keywords together: Replace sets both to exactly the given ones
    /// (keeping the stored spelling of a keyword the message has), Add and Remove apply to both. Each
    /// message that really changes gets its own new MODSEQ, in UID order, and is returned in
    /// <see cref="FlagUpdate.Changed"/>; messages it leaves as they were are not. With
    /// <paramref name="unchangedSince"/> (RFC 7162 UNCHANGEDSINCE) messages whose MODSEQ is higher are
    /// left alone and returned in <see cref="FlagUpdate.Failed"/>. Keywords are refused as by
    /// <see cref="AppendAsync(long, Stream, MessageFlags, IReadOnlyList{string}, DateTimeOffset, CancellationToken)"/>,
    /// for any message, before anything changes.
    /// </summary>
    Task<FlagUpdate> SetFlagsAsync(long mailboxId, IReadOnlyList<uint> uids, MessageFlags flags, IReadOnlyList<string> keywords, FlagChange change, ulong? unchangedSince, CancellationToken ct = default);

    /// <summary>UIDs expunged from the mailbox with a MODSEQ above <paramref name="modSeq"/> (RFC 7162 VANISHED (EARLIER)).</summary>
    Task<IReadOnlyList<uint>> ExpungedSinceAsync(long mailboxId, ulong modSeq, CancellationToken ct = default);

    /// <summary>
    /// Permanently removes messages flagged \Deleted (only among <paramref name="uids"/> when given)
    /// and returns the removed UIDs in ascending order.
    /// </summary>
    Task<IReadOnlyList<uint>> ExpungeAsync(long mailboxId, IReadOnlyList<uint>? uids = null, CancellationToken ct = default);

    // ---- incremental and cached reads (IMAP hot paths on large mailboxes)
    //
    // Each has a default that is correct but as slow as the whole-mailbox reads it replaces, so a
    // store (or a test double) that only implements the core methods above still works.

    /// <summary>
    /// The mailbox's HIGHESTMODSEQ by id (RFC 7162 3.1.2.1) in one lookup; 0 when the mailbox does
    /// not exist or the store cannot tell cheaply (the caller then reads the whole list).
    /// </summary>
    Task<ulong> GetHighestModSeqAsync(long mailboxId, CancellationToken ct = default) => Task.FromResult(0UL);

    /// <summary>
    /// The messages whose MODSEQ is above <paramref name="changedSince"/> (added or flag-changed
    /// since then), in ascending UID order. With <see cref="ExpungedSinceAsync"/> it gives every
    /// change since a known HIGHESTMODSEQ without reading the whole mailbox.
    /// </summary>
    async Task<IReadOnlyList<MessageInfo>> ListMessagesAsync(long mailboxId, ulong changedSince, CancellationToken ct = default) =>
        [.. (await ListMessagesAsync(mailboxId, ct).ConfigureAwait(false)).Where(m => m.ModSeq > changedSince)];

    /// <summary>
    /// The header block of a message: its bytes up to and including the blank line that ends it, or
    /// the whole message when there is none, at most <see cref="HeaderBlock.MaxRead"/> bytes. Null
    /// if the UID is gone. Served from a cache where the store keeps one.
    /// </summary>
    async Task<ReadOnlyMemory<byte>?> ReadHeaderAsync(long mailboxId, uint uid, CancellationToken ct = default)
    {
        var stream = await OpenMessageAsync(mailboxId, uid, ct).ConfigureAwait(false);
        if (stream is null)
        {
            return null;
        }

        await using (stream.ConfigureAwait(false))
        {
            return await HeaderBlock.ReadAsync(stream, HeaderBlock.MaxRead, ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// <see cref="ReadHeaderAsync"/> for many messages, in the order given; UIDs that are gone are
    /// skipped. A store reads them in batches, never with one query per message.
    /// </summary>
    async IAsyncEnumerable<(uint Uid, ReadOnlyMemory<byte> Header)> ReadHeadersAsync(long mailboxId, IReadOnlyList<uint> uids,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        foreach (uint uid in uids)
        {
            if (await ReadHeaderAsync(mailboxId, uid, ct).ConfigureAwait(false) is { } header)
            {
                yield return (uid, header);
            }
        }
    }

    /// <summary>
    /// Computed IMAP strings (ENVELOPE, BODYSTRUCTURE, BODY) stored earlier with
    /// <see cref="SetCachedStructuresAsync"/> for the given UIDs; UIDs with none (or gone) are absent.
    /// The cache belongs to the message body, so every copy of a message shares it.
    /// </summary>
    Task<IReadOnlyDictionary<uint, MessageStructure>> GetCachedStructuresAsync(long mailboxId, IReadOnlyList<uint> uids, CancellationToken ct = default) =>
        Task.FromResult<IReadOnlyDictionary<uint, MessageStructure>>(new Dictionary<uint, MessageStructure>());

    /// <summary>
    /// Remembers computed structures of messages (UIDs that are gone are ignored). A cache, not
    /// mail: it may be lost in a crash, and it never changes what a message says.
    /// </summary>
    Task SetCachedStructuresAsync(long mailboxId, IReadOnlyList<(uint Uid, MessageStructure Structure)> structures, CancellationToken ct = default) =>
        Task.CompletedTask;

    // ---- outbound queue

    /// <summary>Number of messages waiting in the outbound queue (the delivery worker comes later).</summary>
    Task<int> CountQueuedAsync(CancellationToken ct = default);

    // ---- change notification

    /// <summary>
    /// Calls <paramref name="onChange"/> (on any thread, must not block) after every committed change
    /// to the mailbox — new, flagged or expunged messages, rename, delete — by any session or delivery,
    /// outside the store's locks; no-ops are not reported. A callback that throws reaches neither the
    /// writer nor the other callbacks. Disposing stops it. IMAP IDLE and NOOP use it to report changes promptly.
    /// </summary>
    IDisposable WatchMailbox(long mailboxId, Action onChange);

    // ---- locks

    /// <summary>
    /// Takes the exclusive POP3 maildrop lock of an account (RFC 1939 section 8); null if another
    /// session holds it. Disposing releases it.
    /// </summary>
    IDisposable? TryLockMaildrop(long accountId);
}
