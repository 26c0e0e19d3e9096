namespace Postern.Net.Diagnostics;

/// <summary>
/// Wrong client settings the server can recognise from the first bytes of a connection or from
/// what the client tries (issue 4, item 6). Each is logged as its own named event with advice
/// phrased in the labels email programs use ("SSL/TLS", "STARTTLS").
/// </summary>
public enum ClientMistake
{
    /// <summary>A TLS ClientHello arrived where a plaintext greeting exchange was expected (143, 110, 587, 26, 25).</summary>
    TlsOnStartTlsPort,

    /// <summary>Plaintext arrived where the TLS handshake must come first (993, 995, 465).</summary>
    PlaintextOnImplicitTlsPort,

    /// <summary>Nothing arrived on an implicit-TLS port: the client waits for a plaintext greeting that never comes.</summary>
    SilentOnImplicitTlsPort,

    /// <summary>The client offered only SSL 3.0, TLS 1.0 or TLS 1.1.</summary>
    OutdatedTls,

    /// <summary>The client ended the handshake with an alert saying it does not trust the certificate.</summary>
    CertificateRejected,

    /// <summary>The client tried to log in before STARTTLS (its security setting is "None").</summary>
    PasswordBeforeTls,

    /// <summary>The client tried to authenticate on the MX port 25, which is for other servers.</summary>
    AuthOnRelayPort,
}
