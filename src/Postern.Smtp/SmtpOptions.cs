using Postern.Storage.Quotas;

namespace Postern.Smtp;

/// <summary>Limits and timeouts of the SMTP server; the defaults are safe for a small public server.</summary>
public sealed class SmtpOptions
{
    /// <summary>Largest message accepted, in octets of data after dot-unstuffing (advertised as SIZE, RFC 1870).</summary>
    public long MaxMessageSize { get; set; } = 50L * 1024 * 1024;

    /// <summary>Distinct recipients per transaction; more get 452 4.5.3 (RFC 5321 4.5.3.1.8 requires at least 100).</summary>
    public int MaxRecipients { get; set; } = 100;

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
