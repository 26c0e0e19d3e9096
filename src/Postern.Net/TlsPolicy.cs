using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Postern.Net;

/// <summary>
/// The one place where Postern's TLS policy lives: TLS 1.2 and 1.3 only (SSL and TLS 1.0/1.1
/// are refused, RFC 8996), AEAD cipher suites with forward secrecy only, no renegotiation.
/// </summary>
public sealed class TlsPolicy
{
    /// <summary>
    /// TLS 1.3 suites and the TLS 1.2 ECDHE+AEAD suites (Mozilla "intermediate" minus DHE,
    /// whose parameters we do not manage). Everything here has forward secrecy.
    /// </summary>
    private static readonly TlsCipherSuite[] AllowedSuites =
    [
        TlsCipherSuite.TLS_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    ];

    public TlsPolicy(X509Certificate2 certificate, TimeSpan? handshakeTimeout = null)
    {
        Certificate = certificate;
        HandshakeTimeout = handshakeTimeout ?? TimeSpan.FromSeconds(30);
        ServerOptions = new SslServerAuthenticationOptions
        {
            ServerCertificateContext = SslStreamCertificateContext.Create(certificate, additionalCertificates: null, offline: true),
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            CipherSuitesPolicy = OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() ? new CipherSuitesPolicy(AllowedSuites) : null,
            AllowRenegotiation = false,
            ClientCertificateRequired = false,
            EncryptionPolicy = EncryptionPolicy.RequireEncryption,
        };
    }

    public X509Certificate2 Certificate { get; }

    /// <summary>A client that has not finished the handshake by then is dropped (slowloris defence).</summary>
    public TimeSpan HandshakeTimeout { get; }

    public SslServerAuthenticationOptions ServerOptions { get; }

    /// <summary>Loads a certificate chain and private key from PEM files.</summary>
    /// <exception cref="TlsConfigurationException">The files are missing or do not hold a usable certificate and key.</exception>
    public static TlsPolicy FromPemFiles(string certPath, string keyPath, TimeSpan? handshakeTimeout = null)
    {
        if (!File.Exists(certPath))
        {
            throw new TlsConfigurationException($"The TLS certificate file {certPath} does not exist.");
        }

        if (!File.Exists(keyPath))
        {
            throw new TlsConfigurationException($"The TLS key file {keyPath} does not exist.");
        }

        try
        {
            var cert = X509Certificate2.CreateFromPemFile(certPath, keyPath);
            if (!cert.HasPrivateKey)
            {
                throw new TlsConfigurationException($"The key in {keyPath} does not match the certificate in {certPath}.");
            }

            return new TlsPolicy(cert, handshakeTimeout);
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            throw new TlsConfigurationException($"Cannot load the TLS certificate {certPath} with key {keyPath}: {e.Message}");
        }
    }
}

/// <summary>The configured certificate or key cannot be used.</summary>
public sealed class TlsConfigurationException : Exception
{
    public TlsConfigurationException(string message) : base(message) { }
}
