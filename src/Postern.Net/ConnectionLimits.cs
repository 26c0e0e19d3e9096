namespace Postern.Net;

/// <summary>Caps on concurrent connections, enforced at accept before any byte is read, and connection-level timeouts.</summary>
public sealed class ConnectionLimits
{
    /// <summary>Connections open at once on all endpoints together.</summary>
    public int MaxConnections { get; set; } = 10_000;

    /// <summary>Connections open at once from one client IP address (IPv6: per address).</summary>
    public int MaxConnectionsPerAddress { get; set; } = 100;

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
