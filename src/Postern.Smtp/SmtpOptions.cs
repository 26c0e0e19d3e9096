using Postern.Storage.Quotas;

namespace Postern.Smtp;

/// <summary>Limits and timeouts of the SMTP server; the defaults are safe for a small public server.</summary>
public sealed class SmtpOptions
{
    /// <summary>Largest message accepted, in octets of data after dot-unstuffing (advertised as SIZE, RFC 1870).</summary>
    public long MaxMessageSize { get; set; } = 50L * 1024 * 1024;

    /// <summary>
    /// Distinct recipients per transaction on port 25; more get 452 4.5.3 (RFC 5321 4.5.3.1.10), so
    /// the sender delivers the rest in another transaction. Postfix's smtpd_recipient_limit, same
    /// default; RFC 5321 4.5.3.1.8 requires at least 100.
    /// </summary>
    public int MaxRecipients { get; set; } = 1000;

    /// <summary>
    /// Distinct recipients per transaction on the submission ports (465/587/26): lower than on port 25,
    /// because one logged-in account sending to thousands is more often a stolen password than a
    /// newsletter. 100 is the minimum RFC 5321 4.5.3.1.8 requires.
    /// </summary>
    public int MaxSubmissionRecipients { get; set; } = 100;

    /// <summary>
    /// Commands that do not move mail (NOOP, RSET, VRFY, HELP, EHLO/HELO) a session may send for free;
    /// each one beyond counts as an error toward <see cref="MaxErrors"/>, so a client looping on
    /// them ends with 421. Postfix's smtpd_junk_command_limit, same default and the same rule
    /// (smtpd.c: the junk count raises the error count past the limit); a delivered message resets it.
    /// </summary>
    public int MaxJunkCommands { get; set; } = 100;

    /// <summary>
    /// Mail transactions (accepted MAIL commands) one session may start; the next MAIL gets
    /// 421 4.7.0 and the connection closes, and the client goes on in a new connection. Exim's
    /// smtp_accept_max_per_connection, same default: far above what a mail server sends in one
    /// session, and it makes a bulk sender reconnect now and then, where the per-connection
    /// limits (connections per address, their rate) see it again.
    /// </summary>
    public int MaxTransactions { get; set; } = 1000;

    /// <summary>
    /// Mail loop limit: a message whose Received fields, ours included, reach this many is refused
    /// with 554 5.4.6 (Postfix's hopcount_limit, same default; see HopCounter).
    /// </summary>
    public int MaxHops { get; set; } = 50;

    /// <summary>Error replies a session may earn before it is closed with 421.</summary>
    public int MaxErrors { get; set; } = 10;

    /// <summary>How long we wait for a command or a data line once the client has said EHLO/HELO (RFC 5321 4.5.3.2.7: at least 5 minutes).</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Slowest DATA transfer accepted, in octets per second: after Limits:TransferGracePeriod, DATA
    /// must have averaged at least this since the 354 (see Postern.Net.TransferClock), so a client
    /// trickling short lines (each inside the per-line timeout) cannot hold a session. Postfix's
    /// smtpd_min_data_rate, whose default is also 500; a 50 MB message over a 100 KB/s link is 200
    /// times faster.
    /// </summary>
    public int MinDataRate { get; set; } = 500;

    /// <summary>How long we wait before the first EHLO/HELO (also after STARTTLS); short, because idle unidentified clients cost slots.</summary>
    public TimeSpan PreAuthTimeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Folder for the temporary files DATA is streamed into; each file is deleted when the transaction ends.</summary>
    public string SpoolDirectory { get; set; } = Path.GetTempPath();

    /// <summary>
    /// Per-account storage limits, checked at RCPT and at the end of DATA (552 5.2.2); built from the
    /// Quota configuration section by the host, not read from the Smtp section.
    /// </summary>
    public QuotaPolicy Quota { get; set; } = QuotaPolicy.Unlimited;
}
