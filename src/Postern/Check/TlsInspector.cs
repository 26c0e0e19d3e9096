using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Postern.Check;

/// <summary>
/// Runs a client TLS handshake that accepts whatever the server presents (the check wants to
/// see a bad certificate, not stop at it) and then judges the session: version, cipher suite,
/// name, chain (system store, else the --ca file as the only extra trust anchor), dates.
/// </summary>
public sealed class TlsInspector
{
    private readonly X509Certificate2Collection? _extraAnchors;

    public TlsInspector(X509Certificate2Collection? extraAnchors, TimeSpan handshakeTimeout)
    {
        _extraAnchors = extraAnchors;
        HandshakeTimeout = handshakeTimeout;
    }

    public TimeSpan HandshakeTimeout { get; }

    /// <summary>Loads the certificates of a --ca PEM file.</summary>
    public static X509Certificate2Collection LoadAnchors(string path)
    {
        var certs = new X509Certificate2Collection();
        certs.ImportFromPemFile(path);
        if (certs.Count == 0)
        {
            throw new InvalidDataException($"{path} holds no PEM certificate.");
        }

        return certs;
    }

    /// <summary>Handshakes over <paramref name="inner"/>; throws ProbeException when TLS does not come up.</summary>
    public async Task<(SslStream Stream, TlsResult Result)> HandshakeAsync(Stream inner, string serverName, CancellationToken ct)
    {
        X509Certificate2? presented = null;
        var intermediates = new X509Certificate2Collection();
        SslPolicyErrors errors = SslPolicyErrors.None;
        var ssl = new SslStream(inner, leaveInnerStreamOpen: false);
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = serverName,
            // The system default, not Postern's server policy: an old protocol the server still
            // allows should be seen and reported, not hidden behind a failed handshake.
            EnabledSslProtocols = SslProtocols.None,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = (_, cert, chain, e) =>
            {
                errors = e;
                if (cert is not null)
                {
                    presented = X509CertificateLoader.LoadCertificate(cert.GetRawCertData());
                }

                foreach (var extra in chain?.ChainPolicy.ExtraStore ?? [])
                {
                    intermediates.Add(X509CertificateLoader.LoadCertificate(extra.RawData));
                }

                return true; // judged below, after the handshake
            },
        };
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(HandshakeTimeout);
        try
        {
            await ssl.AuthenticateAsClientAsync(options, cts.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            await ssl.DisposeAsync();
            throw new ProbeException($"the TLS handshake did not finish within {HandshakeTimeout.TotalSeconds:0} s");
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            await ssl.DisposeAsync();
            throw new ProbeException("the TLS handshake failed: " + Innermost(e));
        }

        var result = new TlsResult
        {
            Version = VersionName(ssl.SslProtocol),
            CipherSuite = ssl.NegotiatedCipherSuite.ToString(),
            Certificate = presented is null ? null : Judge(presented, intermediates, errors, serverName, DateTimeOffset.UtcNow),
        };
        return (ssl, result);
    }

    /// <summary>Judges a certificate; public for tests.</summary>
    public CertificateResult Judge(X509Certificate2 cert, X509Certificate2Collection intermediates, SslPolicyErrors systemErrors, string serverName, DateTimeOffset now)
    {
        var r = new CertificateResult
        {
            Subject = cert.Subject,
            Issuer = cert.Issuer,
            NotBefore = new DateTimeOffset(cert.NotBefore.ToUniversalTime(), TimeSpan.Zero),
            NotAfter = new DateTimeOffset(cert.NotAfter.ToUniversalTime(), TimeSpan.Zero),
            ServerName = serverName,
            NameMatches = cert.MatchesHostname(serverName),
            SelfSigned = cert.SubjectName.RawData.AsSpan().SequenceEqual(cert.IssuerName.RawData),
        };
        r.DaysUntilExpiry = (int)Math.Floor((r.NotAfter - now).TotalDays);
        r.Expired = r.NotAfter < now;
        r.NotYetValid = r.NotBefore > now;
        if (!systemErrors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors) && !systemErrors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            r.Trusted = true;
            r.TrustAnchor = "system";
            return r;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ExtraStore.AddRange(intermediates);
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        if (_extraAnchors is null)
        {
            chain.Build(cert);
            r.ChainProblem = Describe(chain) ?? "not trusted by the system";
            return r;
        }

        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_extraAnchors);
        if (chain.Build(cert))
        {
            r.Trusted = true;
            r.TrustAnchor = "ca-file";
        }
        else
        {
            r.ChainProblem = Describe(chain) ?? "not trusted by the system or the --ca file";
        }

        return r;
    }

    public static string VersionName(SslProtocols p) => p switch
    {
#pragma warning disable SYSLIB0039, CS0618 // naming the old protocols is the point
        SslProtocols.Tls13 => "TLS 1.3",
        SslProtocols.Tls12 => "TLS 1.2",
        SslProtocols.Tls11 => "TLS 1.1",
        SslProtocols.Tls => "TLS 1.0",
        SslProtocols.Ssl3 => "SSL 3.0",
#pragma warning restore SYSLIB0039, CS0618
        _ => p.ToString(),
    };

    private static string? Describe(X509Chain chain)
    {
        var texts = chain.ChainStatus.Where(s => s.Status != X509ChainStatusFlags.NoError)
            .Select(s => string.IsNullOrWhiteSpace(s.StatusInformation) ? s.Status.ToString() : s.StatusInformation.Trim())
            .Distinct().ToList();
        return texts.Count == 0 ? null : string.Join("; ", texts);
    }

    private static string Innermost(Exception e)
    {
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }

        return ProbeChannel.Printable(e.Message, 200);
    }
}
