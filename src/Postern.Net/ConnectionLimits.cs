namespace Postern.Net;

/// <summary>Caps on concurrent connections, enforced at accept before any byte is read.</summary>
public sealed class ConnectionLimits
{
    /// <summary>Connections open at once on all endpoints together.</summary>
    public int MaxConnections { get; set; } = 10_000;

    /// <summary>Connections open at once from one client IP address (IPv6: per address).</summary>
    public int MaxConnectionsPerAddress { get; set; } = 100;
}
