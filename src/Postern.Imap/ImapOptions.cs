using Postern.Storage.Quotas;

namespace Postern.Imap;

/// <summary>Limits and timeouts of the IMAP server. Every value has a safe default.</summary>
public sealed class ImapOptions
{
    /// <summary>Longest command line, CRLF included (RFC 7162 3 recommends accepting at least 8192 octets).</summary>
    public int MaxLineLength { get; set; } = 64 * 1024;

    /// <summary>Largest literal accepted in a command other than APPEND.</summary>
    public int MaxLiteralSize { get; set; } = 64 * 1024;

    /// <summary>Largest message APPEND accepts (RFC 3501 6.3.11); it is streamed to a temporary file, never held in memory.</summary>
    public long MaxAppendSize { get; set; } = 50L * 1024 * 1024;

    /// <summary>Where APPEND spools message literals before the store takes them; null means the system temp folder.</summary>
    public string? SpoolDirectory { get; set; }

    /// <summary>Longest client parameter list of ID (RFC 2971 3.3 allows at most 30 pairs).</summary>
    public int MaxIdParameters { get; set; } = 30;

    /// <summary>Largest command in total: all its lines and literals together.</summary>
    public int MaxCommandSize { get; set; } = 1024 * 1024;

    /// <summary>Deepest nesting of parenthesised lists and SEARCH keys (NOT, OR, groups).</summary>
    public int MaxNestingDepth { get; set; } = 32;

    /// <summary>After this many BAD responses the session is closed with "* BYE".</summary>
    public int MaxBadCommands { get; set; } = 20;

    /// <summary>
    /// NOOP, CHECK and CAPABILITY commands allowed within <see cref="JunkCommandWindow"/> with no
    /// other command in between; one more ends the session with "* BYE" (see
    /// <see cref="Session.JunkCommands"/>). 100 as Postfix's smtpd_junk_command_limit.
    /// </summary>
    public int MaxJunkCommands { get; set; } = 100;

    /// <summary>
    /// The time over which <see cref="MaxJunkCommands"/> counts: a client polling with NOOP every
    /// few seconds never reaches it, a flood reaches it at once.
    /// </summary>
    public TimeSpan JunkCommandWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>After this many failed logins the session is closed with "* BYE" (each failure is also delayed).</summary>
    public int MaxAuthFailures { get; set; } = 5;

    /// <summary>Idle time allowed once logged in (RFC 9051 5.4: at least 30 minutes).</summary>
    public TimeSpan AuthenticatedTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Idle time allowed before login.</summary>
    public TimeSpan PreAuthTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Advertise LITERAL- instead of LITERAL+ (RFC 7888 4): non-synchronising literals are then
    /// limited to 4096 octets. Off by default, see <see cref="Session.LiteralPolicy"/>.
    /// </summary>
    public bool LiteralMinus { get; set; }

    /// <summary>
    /// Slowest accepted literal in bytes per second (as Postfix's smtpd_min_data_rate, default 500):
    /// after Limits:TransferGracePeriod a literal, and the rest of its command line, must have
    /// averaged at least this since the client owed it, or the session ends (see Postern.Net.TransferClock).
    /// </summary>
    public int MinLiteralRate { get; set; } = 500;

    /// <summary>Messages whose ENVELOPE/BODYSTRUCTURE are cached per session for the selected mailbox.</summary>
    public int ParseCacheSize { get; set; } = 256;

    /// <summary>
    /// Per-account storage limits (RFC 9208), built from the Quota configuration section by the host,
    /// not read from the Imap section.
    /// </summary>
    public QuotaPolicy Quota { get; set; } = QuotaPolicy.Unlimited;
}
