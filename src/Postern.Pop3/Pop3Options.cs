namespace Postern.Pop3;

/// <summary>Limits and timeouts of a POP3 session.</summary>
public sealed class Pop3Options
{
    /// <summary>
    /// Longest command line in octets, CRLF included. RFC 2449 section 4 caps command lines at
    /// 255 octets; the password and the AUTH initial response must fit in it too.
    /// </summary>
    public int MaxLineLength { get; init; } = 255;

    /// <summary>
    /// Longest line accepted as a SASL response after "+ " (RFC 5034 section 4: the 255-octet
    /// limit does not apply to base64 AUTH responses).
    /// </summary>
    public int MaxAuthLineLength { get; init; } = 8 * 1024;

    /// <summary>After this many -ERR replies the session says "-ERR Too many errors" and closes.</summary>
    public int MaxErrors { get; init; } = 10;

    /// <summary>Idle timeout once logged in. RFC 1939 section 3: at least 10 minutes.</summary>
    public TimeSpan TransactionTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Idle timeout before login: short, since an anonymous peer costs a connection slot.</summary>
    public TimeSpan PreAuthTimeout { get; init; } = TimeSpan.FromMinutes(1);
}
