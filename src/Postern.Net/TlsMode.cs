namespace Postern.Net;

/// <summary>How an endpoint secures its connections.</summary>
public enum TlsMode
{
    /// <summary>The TLS handshake is the first thing on the connection (RFC 8314): 993, 995, 465.</summary>
    Implicit,

    /// <summary>Plaintext greeting, then the client asks to upgrade (STARTTLS/STLS): 143, 110, 587, 26, 25.</summary>
    StartTls,
}
