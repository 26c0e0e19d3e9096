using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Postern.Integration.Tests.Support;

namespace Postern.Integration.Tests.Hostile;

/// <summary>
/// A Postern of its own (own data folder, own ports, optional users) for tests that rewrite its
/// certificate files or fill mailboxes with hostile mail; <paramref name="switches"/> go to serve (e.g. extra SNI certificates).
/// </summary>
public sealed class TlsTestServer : IAsyncDisposable
{
    private ServeProcess? _serve;

    public string DataDir { get; } = Path.Combine(Path.GetTempPath(), "postern-tls-" + Guid.NewGuid().ToString("N")[..8]);

    public int Offset { get; private set; }

    public ServeProcess Serve => _serve ?? throw new InvalidOperationException("not started");

    public string Host => "127.0.0.1";

    public string TlsDir => Path.Combine(DataDir, "tls");

    public static async Task<TlsTestServer> StartAsync(Func<TlsTestServer, IEnumerable<string>> switches, params string[] users)
    {
        var s = new TlsTestServer();
        var r = await PosternCli.RunAsync(s.DataDir, null, "init", "--hostname", "localhost", "--domain", ServerFixture.Domain);
        Assert.True(r.ExitCode == 0, r.ToString());
        foreach (var u in users)
        {
            r = await PosternCli.RunAsync(s.DataDir, ServerFixture.Password + "\n", "user", "add", ServerFixture.User(u));
            Assert.True(r.ExitCode == 0, r.ToString());
        }

        s.Offset = ServerFixture.FindFreeOffset();
        s._serve = await ServeProcess.StartAsync(["--data", s.DataDir, "serve", "--port-offset", s.Offset.ToString(), "--bind", "127.0.0.1", .. switches(s)]);
        return s;
    }

    public int Port(int standardPort) => standardPort + Offset;

    /// <summary>A new self-signed ECDSA certificate for <paramref name="name"/>, written as PEM files.</summary>
    public static X509Certificate2 WriteCertificate(string certPath, string keyPath, string name)
    {
        var cert = Postern.Net.SelfSignedCertificate.Create(name);
        Postern.Net.SelfSignedCertificate.WritePem(cert, certPath, keyPath);
        return cert;
    }

    /// <summary>The certificate a TLS handshake on <paramref name="standardPort"/> presents when it asks for <paramref name="sni"/>.</summary>
    public async Task<X509Certificate2> PresentedAsync(int standardPort, string? sni)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(Host, Port(standardPort));
        X509Certificate2? seen = null;
        await using var ssl = new SslStream(tcp.GetStream(), false, (_, c, _, _) =>
        {
            seen = c is null ? null : X509CertificateLoader.LoadCertificate(c.GetRawCertData());
            return true;
        });
        // An IP address or null as TargetHost sends no SNI at all.
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = sni ?? Host }, cts.Token);
        return seen ?? throw new InvalidOperationException("no certificate presented");
    }

    /// <summary>The same through openssl s_client (another TLS stack, another ClientHello).</summary>
    public async Task<string> PresentedSubjectByOpenSslAsync(int standardPort, string? sni)
    {
        var openssl = ProcessRunner.RequireClient("openssl");
        List<string> args = ["s_client", "-connect", $"{Host}:{Port(standardPort)}"];
        args.AddRange(sni is null ? ["-noservername"] : ["-servername", sni]);
        var r = await ProcessRunner.RunAsync(openssl, args, stdin: "", timeout: TimeSpan.FromSeconds(30));
        var subject = r.StdOut.Split('\n').FirstOrDefault(l => l.StartsWith("subject=", StringComparison.Ordinal));
        return subject?.Replace(" ", "", StringComparison.Ordinal).Trim() ?? throw new InvalidOperationException("openssl printed no subject:\n" + r);
    }

    public static string Thumbprint(X509Certificate2 c) => Convert.ToHexString(SHA256.HashData(c.RawData));

    public async ValueTask DisposeAsync()
    {
        if (_serve is not null)
        {
            await _serve.StopAsync();
            await _serve.DisposeAsync();
        }

        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
            // Test data only; the OS temp cleaner will get it.
        }
    }
}
