namespace Postern.Storage;

/// <summary>The IMAP system flags a message can carry (RFC 9051 2.3.2). \Recent is not stored (IMAP4rev2 dropped it).</summary>
[Flags]
public enum MessageFlags
{
    None = 0,
    Seen = 1,
    Answered = 2,
    Flagged = 4,
    Deleted = 8,
    Draft = 16,
}

/// <summary>How <see cref="IMailStore.SetFlagsAsync"/> combines the given flags with the stored ones.</summary>
public enum FlagChange
{
    Replace,
    Add,
    Remove,
}

/// <summary>A user who can log in and receive mail.</summary>
/// <param name="PasswordHash">The PBKDF2 hash LOGIN, PLAIN and USER/PASS are checked against (<see cref="Accounts.PasswordHasher"/>).</param>
/// <param name="Scram">The SCRAM-SHA-256 keys, or null for an account whose password was set before
/// Postern kept them; they are filled in at its next password login (<see cref="Accounts.Authenticator"/>).</param>
public sealed record Account(long Id, string Address, string PasswordHash, Accounts.ScramKeys? Scram = null);

/// <summary>A mailbox and its counters, as IMAP SELECT and STATUS need them.</summary>
/// <param name="Name">Full name with "/" as the hierarchy separator; "INBOX" is always spelled so.</param>
/// <param name="SpecialUse">RFC 6154 attribute such as "\Sent", or null.</param>
/// <param name="UidValidity">Never changes unless the mailbox is deleted and recreated.</param>
/// <param name="UidNext">The UID the next message will get; UIDs strictly ascend and are never reused.</param>
/// <param name="Subscribed">Whether the mailbox's name is in the account's subscriptions (<see cref="IMailStore.ListSubscriptionsAsync"/>).</param>
public sealed record MailboxInfo(
    long Id,
    long AccountId,
    string Name,
    string? SpecialUse,
    uint UidValidity,
    uint UidNext,
    int MessageCount,
    int UnseenCount,
    long TotalSize,
    bool Subscribed)
{
    /// <summary>RFC 7162 HIGHESTMODSEQ: the largest MODSEQ of any change in this mailbox (never decreases).</summary>
    public ulong HighestModSeq { get; init; }

    /// <summary>Messages flagged \Deleted (RFC 9051 6.3.11 STATUS DELETED).</summary>
    public int DeletedCount { get; init; }

    /// <summary>
    /// Keywords (non-system flags) in use by at least one message of this mailbox, each once, for
    /// FLAGS/PERMANENTFLAGS; at most <see cref="StoreLimits.MaxKeywordsPerMailbox"/>.
    /// </summary>
    public IReadOnlyList<string> Keywords { get; init; } = Array.Empty<string>();
}

/// <summary>One message in a mailbox: its metadata, never its body.</summary>
public sealed record MessageInfo(uint Uid, MessageFlags Flags, DateTimeOffset InternalDate, long Size)
{
    /// <summary>Keywords such as "$Junk" or "$label1" (RFC 9051 2.3.2), case-insensitively unique, as first spelled.</summary>
    public IReadOnlyList<string> Keywords { get; init; } = Array.Empty<string>();

    /// <summary>RFC 7162 MODSEQ: set when the message is added and raised on every flag change.</summary>
    public ulong ModSeq { get; init; }
}

/// <summary>The result of an atomic COPY or MOVE: source UIDs and the UIDs they got in the target, pairwise (RFC 4315 COPYUID).</summary>
public sealed record CopyResult(uint TargetUidValidity, IReadOnlyList<uint> SourceUids, IReadOnlyList<uint> TargetUids);

/// <summary>Why a mailbox operation was refused; the protocol maps it to a response code.</summary>
public enum MailboxError
{
    /// <summary>No mailbox of that name (IMAP [NONEXISTENT]).</summary>
    NotFound,

    /// <summary>A mailbox of that name exists already (IMAP [ALREADYEXISTS]).</summary>
    AlreadyExists,

    /// <summary>
    /// The name is not allowed: empty, empty levels, control characters, "." or ".." levels, or INBOX
    /// rules (IMAP [CANNOT]). Too long or too deep is a <see cref="StoreLimitException"/> instead.
    /// </summary>
    InvalidName,

    /// <summary>The operation is not allowed on this mailbox, e.g. deleting INBOX (IMAP [CANNOT]).</summary>
    NotAllowed,

    /// <summary>The account's quota would be exceeded (IMAP [OVERQUOTA], SMTP 552 5.2.2).</summary>
    OverQuota,
}

/// <summary>A refused mailbox operation, with a reason a protocol can report.</summary>
public sealed class MailboxException(MailboxError error, string message) : Exception(message)
{
    public MailboxError Error { get; } = error;
}

/// <summary>A message accepted by SMTP: who it is for, already split into local and remote recipients.</summary>
/// <param name="ReturnPath">The MAIL FROM address ("" for the null reverse-path).</param>
/// <param name="LocalAccounts">Accounts whose INBOX receives a copy (each once).</param>
/// <param name="RemoteRecipients">Addresses outside our domains, kept in the durable outbound queue.</param>
public sealed record InboundMessage(string ReturnPath, IReadOnlyList<long> LocalAccounts, IReadOnlyList<string> RemoteRecipients);

/// <summary>The well-known mailboxes every new account gets (RFC 6154 special-use).</summary>
public static class DefaultMailboxes
{
    public static readonly IReadOnlyList<(string Name, string? SpecialUse)> All =
    [
        ("INBOX", null),
        ("Sent", "\\Sent"),
        ("Drafts", "\\Drafts"),
        ("Trash", "\\Trash"),
        ("Junk", "\\Junk"),
        ("Archive", "\\Archive"),
    ];
}

/// <summary>The outcome of a conditional flag change: messages changed (as they now are) and UIDs refused by UNCHANGEDSINCE.</summary>
public sealed record FlagUpdate(IReadOnlyList<MessageInfo> Changed, IReadOnlyList<uint> Failed);

/// <summary>
/// The IMAP strings computed from a message's MIME structure (RFC 9051 7.5.2), cached by the store
/// so a FETCH in any session need not parse the message again.
/// </summary>
public sealed record MessageStructure(string Envelope, string BodyStructure, string Body);
