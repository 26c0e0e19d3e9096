using System.Text;

namespace Postern.Storage;

/// <summary>
/// The limits every <see cref="IMailStore"/> enforces, in one place, so that the protocols can
/// check them before they reach a store (IMAP answers <c>NO [LIMIT]</c>, RFC 5530 3) and every
/// store refuses the same input with the same <see cref="StoreLimitException"/>.
/// </summary>
/// <remarks>
/// A protocol parser may accept more than these (its own limits only bound what it reads); it
/// must then check these before calling the store. Syntax (what a keyword or a mailbox name may
/// contain) is not a limit: see <see cref="MessageKeywords"/> and <see cref="MailboxNameRules"/>.
/// </remarks>
public static class StoreLimits
{
    /// <summary>
    /// Longest keyword, in characters (keywords are ASCII atoms, so also octets). A message's
    /// keywords are kept together (one column in SQLite) and sent in every FETCH FLAGS; 64 × 64
    /// keeps both near 4 KiB. Longer than Dovecot's default (mail_max_keyword_length = 50) and
    /// than any keyword a common client sets ($Forwarded, $Junk, $label1, Thunderbird tags).
    /// </summary>
    public const int MaxKeywordLength = 64;

    /// <summary>Most keywords on one message (see <see cref="MaxKeywordLength"/> for why 64).</summary>
    public const int MaxKeywordsPerMessage = 64;

    /// <summary>
    /// Most different keywords in use in one mailbox at a time. Every SELECT sends them all twice
    /// (FLAGS and PERMANENTFLAGS, RFC 9051 7.3.5 and 7.1) and every mailbox lookup reads them, so
    /// without a bound one client could make a mailbox expensive to open for every client
    /// (64 keywords on each of many messages). 256 × 64 characters keeps a FLAGS line under 17 KB;
    /// Cyrus allows 128 per mailbox.
    /// </summary>
    public const int MaxKeywordsPerMailbox = 256;

    /// <summary>
    /// Longest mailbox name, in octets of UTF-8 (the full name, levels and separators included).
    /// A name travels in LIST, STATUS and every SELECT; 255 matches common file-name limits, so a
    /// mailbox can also be exported to a folder of the same name.
    /// </summary>
    public const int MaxMailboxNameOctets = 255;

    /// <summary>
    /// Most levels in a mailbox name ("a/b/c" has 3). Renames and deletes walk the hierarchy, and
    /// clients show it as a tree; 16 levels is far beyond any real folder tree.
    /// </summary>
    public const int MaxMailboxNameLevels = 16;

    /// <summary>
    /// The UID a mailbox's next message can get at most, exclusive: UIDs are 32-bit and never reused
    /// (RFC 9051 2.3.1.1), so a mailbox whose UIDNEXT reached this takes no more messages until it is
    /// recreated with a new UIDVALIDITY.
    /// </summary>
    public const uint MaxUidNext = uint.MaxValue;

    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Throws <see cref="StoreLimitException"/> when a keyword is longer than <see cref="MaxKeywordLength"/>.</summary>
    public static void CheckKeywordLength(string keyword)
    {
        if (keyword.Length > MaxKeywordLength)
        {
            throw new StoreLimitException(StoreLimit.KeywordLength, $"A keyword may have at most {MaxKeywordLength} characters.");
        }
    }

    /// <summary>Throws <see cref="StoreLimitException"/> when one message would carry more than <see cref="MaxKeywordsPerMessage"/> keywords.</summary>
    public static void CheckKeywordsPerMessage(int count)
    {
        if (count > MaxKeywordsPerMessage)
        {
            throw new StoreLimitException(StoreLimit.KeywordsPerMessage, $"A message may have at most {MaxKeywordsPerMessage} keywords.");
        }
    }

    /// <summary>Throws <see cref="StoreLimitException"/> when a mailbox would use more than <see cref="MaxKeywordsPerMailbox"/> different keywords.</summary>
    public static void CheckKeywordsPerMailbox(int count)
    {
        if (count > MaxKeywordsPerMailbox)
        {
            throw new StoreLimitException(StoreLimit.KeywordsPerMailbox, $"A mailbox may use at most {MaxKeywordsPerMailbox} different keywords.");
        }
    }

    /// <summary>
    /// Throws <see cref="StoreLimitException"/> when a mailbox name is longer than
    /// <see cref="MaxMailboxNameOctets"/> or deeper than <see cref="MaxMailboxNameLevels"/>.
    /// A name that is not valid Unicode passes here; <see cref="MailboxNameRules.Validate"/> refuses it.
    /// </summary>
    public static void CheckMailboxName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        int octets;
        try
        {
            octets = s_strictUtf8.GetByteCount(name);
        }
        catch (EncoderFallbackException)
        {
            return;
        }

        if (octets > MaxMailboxNameOctets)
        {
            throw new StoreLimitException(StoreLimit.MailboxNameLength, $"A mailbox name may have at most {MaxMailboxNameOctets} octets (UTF-8).");
        }

        if (name.Count(c => c == MailboxNameRules.Separator) + 1 > MaxMailboxNameLevels)
        {
            throw new StoreLimitException(StoreLimit.MailboxNameDepth, $"A mailbox name may have at most {MaxMailboxNameLevels} levels.");
        }
    }

    /// <summary>The refusal of a store whose mailbox has no UID left (see <see cref="MaxUidNext"/>).</summary>
    public static StoreLimitException UidsExhausted() =>
        new(StoreLimit.UidRange, "The mailbox has used up its 32-bit UID range; it must be recreated to take more messages.");
}

/// <summary>Which of the <see cref="StoreLimits"/> an operation ran into.</summary>
public enum StoreLimit
{
    /// <summary><see cref="StoreLimits.MaxKeywordLength"/>.</summary>
    KeywordLength,

    /// <summary><see cref="StoreLimits.MaxKeywordsPerMessage"/>.</summary>
    KeywordsPerMessage,

    /// <summary><see cref="StoreLimits.MaxKeywordsPerMailbox"/>.</summary>
    KeywordsPerMailbox,

    /// <summary><see cref="StoreLimits.MaxMailboxNameOctets"/>.</summary>
    MailboxNameLength,

    /// <summary><see cref="StoreLimits.MaxMailboxNameLevels"/>.</summary>
    MailboxNameDepth,

    /// <summary><see cref="StoreLimits.MaxUidNext"/>.</summary>
    UidRange,
}

/// <summary>
/// An operation refused because it would exceed one of the <see cref="StoreLimits"/>. Nothing was
/// changed. The message is one sentence naming the limit, fit to show a user (IMAP sends it after
/// <c>NO [LIMIT]</c>).
/// </summary>
public sealed class StoreLimitException(StoreLimit limit, string message) : Exception(message)
{
    /// <summary>The limit that was reached.</summary>
    public StoreLimit Limit { get; } = limit;
}
