namespace Postern.Net;

/// <summary>
/// Caps on connections (in total, per client address, per account and address, new ones per
/// minute) and the connection-level time bounds: TLS handshake, writes, the time allowed before
/// login, and the rate and pauses allowed within one command line, literal or message.
/// </summary>
/// <remarks>
/// The defaults are sized for an office behind one NAT address: 40 people, each running an email
/// program that keeps up to five IMAP connections (Thunderbird's default cache) and sends mail
/// now and then. All of them start at about the same time in the morning, so all of their
/// connections are unauthenticated at once for the first round trips.
/// </remarks>
public sealed class ConnectionLimits
{
    /// <summary>Connections open at once on all endpoints together; past it, new ones are dropped at accept.</summary>
    public int MaxConnections { get; set; } = 10_000;

    /// <summary>
    /// Connections open at once from one client IP address (IPv6: per address), logged in or not.
    /// The hard ceiling: past it a connection is dropped at accept, before any TLS handshake, so one
    /// address cannot make us spend CPU on handshakes for refusals. Far above what an office needs
    /// (40 people x 6 connections), and a tenth of <see cref="MaxConnections"/>.
    /// </summary>
    public int MaxConnectionsPerAddress { get; set; } = 1000;

    /// <summary>
    /// Connections from one address that have not logged in (on port 25: every session, as MX
    /// clients never log in). Past it, a new connection gets its TLS handshake and then a refusal
    /// in the protocol's words (IMAP "* BYE [UNAVAILABLE]", POP3 "-ERR [IN-USE]", SMTP "421 4.7.0").
    /// 300 holds the office's morning start (200 IMAP connections) with room for its phones and
    /// submissions; each of them is unauthenticated for at most <see cref="PreLoginTimeout"/>.
    /// </summary>
    public int MaxUnauthenticatedConnectionsPerAddress { get; set; } = 300;

    /// <summary>
    /// Logged-in connections of one account from one address, counted per protocol (IMAP, POP3 and
    /// submission separately), like Dovecot's mail_max_userip_connections (also 10). Thunderbird
    /// keeps up to five IMAP connections per account, so two programs on one account behind one
    /// address fit. Past it the login is refused in the protocol's words (IMAP NO [UNAVAILABLE],
    /// POP3 -ERR [IN-USE], SMTP 454 4.7.0).
    /// </summary>
    public int MaxConnectionsPerAccountAndAddress { get; set; } = 10;

    /// <summary>
    /// New connections from one address per minute, on all endpoints together (Postfix's anvil,
    /// smtpd_client_connection_rate_limit, which is off by default). Past it a connection is refused
    /// in the protocol's words; past twice it, dropped at accept without a handshake, since a client
    /// that ignores refusals at that pace is no email program. 600 (10 a second) is three times the
    /// office's morning start; 0 turns the limit off.
    /// </summary>
    public int MaxNewConnectionsPerAddressPerMinute { get; set; } = 600;

    /// <summary>
    /// Total time from accept to a successful login; on port 25 (never a login) to the first DATA.
    /// Dovecot ends unauthenticated sessions after 3 minutes as well. Each command line on its own is
    /// bounded by the protocol's idle timeout and <see cref="MinLineRate"/>; this bounds a session
    /// that sends complete commands slowly forever.
    /// </summary>
    public TimeSpan PreLoginTimeout { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>
    /// Within one command line, one literal or one DATA phase: time allowed before the minimum rate
    /// applies (Kestrel's MinDataRate grace period idea). After it, the transfer must have averaged
    /// at least its minimum rate (<see cref="MinLineRate"/>, Imap:MinLiteralRate, Smtp:MinDataRate)
    /// since it started. 30 s covers a few TCP retransmissions on a lossy mobile link; a one-byte-a-
    /// second trickle ends at about this time.
    /// </summary>
    public TimeSpan TransferGracePeriod { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Longest pause in the middle of a command line, literal or message. The rate rule alone would
    /// let a client that sent a large part quickly stall for its whole credit (a 25 MB head start
    /// buys 14 hours at 500 B/s), e.g. an APPEND whose final CRLF never comes. Two minutes is more
    /// than TCP's retransmission back-off on a link that is still alive.
    /// </summary>
    public TimeSpan TransferStallTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Slowest command line accepted, in octets per second after <see cref="TransferGracePeriod"/>,
    /// counted from the line's first octet (the wait before it is the idle timeout). The same 500 as
    /// Smtp:MinDataRate and Postfix's smtpd_min_data_rate; command lines are short, so in practice a
    /// line must be complete within the grace period.
    /// </summary>
    public int MinLineRate { get; set; } = 500;

    /// <summary>
    /// A client that has not finished the TLS handshake by then is dropped (slowloris during the
    /// handshake). Postfix's smtpd_starttls_timeout defaults to 300 s; ours is shorter because a
    /// handshake needs a few round trips, not minutes.
    /// </summary>
    public TimeSpan TlsHandshakeTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long one flush of our output may wait for a client that does not read (Postfix applies
    /// smtpd_timeout, 300 s, to writes as well as reads). Output is buffered per connection up to a
    /// flush, so a client that never reads holds at most one flush's worth of memory for this long.
    /// </summary>
    public TimeSpan WriteTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How long accept waits after a failure (out of file descriptors) before trying again.</summary>
    public TimeSpan AcceptBackoff { get; set; } = TimeSpan.FromMilliseconds(200);
}
