using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Postern.Net;

/// <summary>
/// The one place where Postern's TLS policy lives: TLS 1.2 and 1.3 only (SSL and TLS 1.0/1.1
/// are refused, RFC 8996), AEAD cipher suites with forward secrecy only, no renegotiation.
/// It also holds the certificates: a default one and, optionally, one per host name chosen by
/// the client's SNI (RFC 6066 section 3), each replaceable on disk while the server runs
/// (<see cref="CheckForChanges"/>, driven by <see cref="TlsCertificateWatcher"/>).
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

    private static readonly CipherSuitesPolicy? SuitesPolicy =
        OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() ? new CipherSuitesPolicy(AllowedSuites) : null;

    private readonly TlsCertificateSlot _default;

    /// <summary>SNI name (lower case, or "*.domain" for a wildcard entry) to its certificate.</summary>
    private readonly Dictionary<string, TlsCertificateSlot> _byHost;

    /// <summary>A fixed certificate that is never reloaded (tests, embedding).</summary>
    public TlsPolicy(X509Certificate2 certificate, TimeSpan? handshakeTimeout = null)
    {
        HandshakeTimeout = handshakeTimeout ?? TimeSpan.FromSeconds(30);
        _default = new TlsCertificateSlot(null, Loaded.From(certificate));
        _byHost = new Dictionary<string, TlsCertificateSlot>(StringComparer.OrdinalIgnoreCase);
    }

    private TlsPolicy(TlsCertificateSlot defaultSlot, Dictionary<string, TlsCertificateSlot> byHost, TimeSpan? handshakeTimeout)
    {
        HandshakeTimeout = handshakeTimeout ?? TimeSpan.FromSeconds(30);
        _default = defaultSlot;
        _byHost = byHost;
    }

    /// <summary>The default certificate as it is now (it may change when the files on disk are replaced).</summary>
    public X509Certificate2 Certificate => _default.Current.Certificate;

    /// <summary>A client that has not finished the handshake by then is dropped (slowloris defence).</summary>
    public TimeSpan HandshakeTimeout { get; }

    /// <summary>The options for the default certificate as it is now.</summary>
    public SslServerAuthenticationOptions ServerOptions => _default.Current.Options;

    /// <summary>The cipher suites every endpoint allows (null where the OS does not let us choose).</summary>
    public static CipherSuitesPolicy? CipherSuites => SuitesPolicy;

    /// <summary>The certificate files this policy watches (empty for a fixed certificate).</summary>
    public IReadOnlyList<TlsCertificateSource> Sources =>
        [.. new[] { _default }.Concat(_byHost.Values).Select(s => s.Source).OfType<TlsCertificateSource>()];

    /// <summary>Host names with their own certificate, as configured.</summary>
    public IReadOnlyCollection<string> SniNames => _byHost.Keys;

    /// <summary>
    /// The options for a handshake whose ClientHello named <paramref name="serverName"/>: that
    /// name's certificate if one is configured (exact name first, then a "*.parent" entry), else
    /// the default. Options are built once per certificate and shared, never mutated.
    /// </summary>
    public SslServerAuthenticationOptions SelectOptions(string? serverName) => Select(serverName).Current.Options;

    /// <summary>
    /// A fresh copy of <see cref="SelectOptions"/> for hosts (Kestrel) that add their own
    /// settings, ALPN for instance, to the options they are given.
    /// </summary>
    public SslServerAuthenticationOptions CopyOptions(string? serverName) =>
        OptionsFor(Select(serverName).Current.Options.ServerCertificateContext!);

    /// <summary>The certificate that a handshake naming <paramref name="serverName"/> gets.</summary>
    public X509Certificate2 SelectCertificate(string? serverName) => Select(serverName).Current.Certificate;

    /// <summary>For <see cref="SslStream.AuthenticateAsServerAsync(ServerOptionsSelectionCallback, object?, CancellationToken)"/>.</summary>
    public ValueTask<SslServerAuthenticationOptions> SelectOptionsAsync(SslStream stream, SslClientHelloInfo hello, object? state, CancellationToken ct) =>
        ValueTask.FromResult(SelectOptions(hello.ServerName));

    private TlsCertificateSlot Select(string? serverName)
    {
        if (_byHost.Count == 0 || string.IsNullOrEmpty(serverName))
        {
            return _default;
        }

        string name = serverName.TrimEnd('.');
        if (_byHost.TryGetValue(name, out var exact))
        {
            return exact;
        }

        // A wildcard covers exactly one label (RFC 6125 section 6.4.3).
        int dot = name.IndexOf('.');
        if (dot > 0 && _byHost.TryGetValue("*" + name[dot..], out var wildcard))
        {
            return wildcard;
        }

        return _default;
    }

    /// <summary>
    /// Re-reads every certificate whose files changed (modification time or length) since the
    /// last attempt. A replacement that does not load (garbage, key not matching, half-written)
    /// is refused and the previous certificate keeps serving; the same broken files are not
    /// retried until they change again.
    /// </summary>
    public IReadOnlyList<TlsReloadOutcome> CheckForChanges()
    {
        var outcomes = new List<TlsReloadOutcome>();
        foreach (var (name, slot) in new[] { (null as string, _default) }.Concat(_byHost.Select(kv => ((string?)kv.Key, kv.Value))))
        {
            if (slot.TryReload() is { } outcome)
            {
                outcomes.Add(outcome with { HostName = name });
            }
        }

        return outcomes;
    }

    /// <summary>Loads a certificate chain and private key from PEM files.</summary>
    /// <exception cref="TlsConfigurationException">The files are missing or do not hold a usable certificate and key.</exception>
    public static TlsPolicy FromPemFiles(string certPath, string keyPath, TimeSpan? handshakeTimeout = null) =>
        FromPemFiles(new TlsCertificateSource(certPath, keyPath), new Dictionary<string, TlsCertificateSource>(), handshakeTimeout);

    /// <summary>Loads the default certificate and one per SNI host name (all must load at start).</summary>
    /// <exception cref="TlsConfigurationException">A file is missing or does not hold a usable certificate and key.</exception>
    public static TlsPolicy FromPemFiles(TlsCertificateSource defaultSource, IReadOnlyDictionary<string, TlsCertificateSource> byHost, TimeSpan? handshakeTimeout = null)
    {
        var slots = new Dictionary<string, TlsCertificateSlot>(StringComparer.OrdinalIgnoreCase);
        foreach (var (host, source) in byHost)
        {
            string name = host.Trim().TrimEnd('.');
            if (name.Length == 0 || (Uri.CheckHostName(name.StartsWith("*.", StringComparison.Ordinal) ? name[2..] : name) != UriHostNameType.Dns))
            {
                throw new TlsConfigurationException($"'{host}' in Tls:Certificates is not a host name (use e.g. mail.example.org or *.example.org).");
            }

            slots[name] = new TlsCertificateSlot(source, Load(source));
        }

        return new TlsPolicy(new TlsCertificateSlot(defaultSource, Load(defaultSource)), slots, handshakeTimeout);
    }

    internal static Loaded Load(TlsCertificateSource source)
    {
        if (!File.Exists(source.CertificatePath))
        {
            throw new TlsConfigurationException($"The TLS certificate file {source.CertificatePath} does not exist.");
        }

        if (!File.Exists(source.KeyPath))
        {
            throw new TlsConfigurationException($"The TLS key file {source.KeyPath} does not exist.");
        }

        try
        {
            var cert = X509Certificate2.CreateFromPemFile(source.CertificatePath, source.KeyPath);
            if (!cert.HasPrivateKey)
            {
                cert.Dispose();
                throw new TlsConfigurationException($"The key in {source.KeyPath} does not match the certificate in {source.CertificatePath}.");
            }

            return Loaded.From(cert);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException or IOException or UnauthorizedAccessException)
        {
            // ArgumentException: no PEM block found, or the key does not match the certificate.
            throw new TlsConfigurationException($"Cannot load the TLS certificate {source.CertificatePath} with key {source.KeyPath}: {e.Message}");
        }
    }

    private static SslServerAuthenticationOptions OptionsFor(X509Certificate2 certificate) =>
        OptionsFor(SslStreamCertificateContext.Create(certificate, additionalCertificates: null, offline: true));

    private static SslServerAuthenticationOptions OptionsFor(SslStreamCertificateContext context) => new()
    {
        ServerCertificateContext = context,
        EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
        CipherSuitesPolicy = SuitesPolicy,
        AllowRenegotiation = false,
        ClientCertificateRequired = false,
        EncryptionPolicy = EncryptionPolicy.RequireEncryption,
    };

    /// <summary>A certificate with the handshake options built for it.</summary>
    internal sealed record Loaded(X509Certificate2 Certificate, SslServerAuthenticationOptions Options)
    {
        public static Loaded From(X509Certificate2 certificate) => new(certificate, OptionsFor(certificate));
    }
}

/// <summary>The configured certificate or key cannot be used.</summary>
public sealed class TlsConfigurationException : Exception
{
    public TlsConfigurationException(string message) : base(message) { }
}
