using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Postern.Integration.Tests.Support;

namespace Postern.Integration.Tests.Hostile;

/// <summary>Certificates for the TLS tests: written as PEM files, and the one a server presents for a name (SNI).</summary>
public static class CertificateProbe
{
    /// <summary>A new self-signed ECDSA certificate for <paramref name="name"/>, written as PEM files.</summary>
    public static X509Certificate2 WriteCertificate(string certPath, string keyPath, string name)
    {
        var cert = Postern.Net.SelfSignedCertificate.Create(name);
        Postern.Net.SelfSignedCertificate.WritePem(cert, certPath, keyPath);
        return cert;
    }

    /// <summary>The certificate a TLS handshake on <paramref name="standardPort"/> presents when it asks for <paramref name="sni"/>.</summary>
    public static async Task<X509Certificate2> PresentedAsync(this PosternServer server, int standardPort, string? sni)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.Host, server.Port(standardPort));
        X509Certificate2? seen = null;
        await using var ssl = new SslStream(tcp.GetStream(), false, (_, c, _, _) =>
        {
            seen = c is null ? null : X509CertificateLoader.LoadCertificate(c.GetRawCertData());
            return true;
        });
        // An IP address or null as TargetHost sends no SNI at all.
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = sni ?? server.Host }, cts.Token);
        return seen ?? throw new InvalidOperationException("no certificate presented");
    }

    /// <summary>The same through openssl s_client (another TLS stack, another ClientHello).</summary>
    public static async Task<string> PresentedSubjectByOpenSslAsync(this PosternServer server, int standardPort, string? sni)
    {
        var openssl = ExternalClient.Require("openssl");
        List<string> args = ["s_client", "-connect", $"{server.Host}:{server.Port(standardPort)}"];
        args.AddRange(sni is null ? ["-noservername"] : ["-servername", sni]);
        var r = await ProcessRunner.RunAsync(openssl, args, stdin: "", timeout: TimeSpan.FromSeconds(30));
        var subject = r.StdOut.Split('\n').FirstOrDefault(l => l.StartsWith("subject=", StringComparison.Ordinal));
        return subject?.Replace(" ", "", StringComparison.Ordinal).Trim() ?? throw new InvalidOperationException("openssl printed no subject:\n" + r);
    }

    public static string Thumbprint(X509Certificate2 c) => Convert.ToHexString(SHA256.HashData(c.RawData));
}
