namespace Postern.Integration.Tests.Hostile;

/// <summary>
/// Issue 5 point 9: a certificate replaced on disk is served to new connections without a
/// restart; a broken replacement (garbage, a key that does not match, a half-written file) is
/// refused and logged while the previous certificate keeps serving. Waits are on the server's
/// log lines (event-driven, bounded), never sleeps.
/// </summary>
public sealed class CertificateReloadTests : IAsyncLifetime
{
    private static readonly TimeSpan LogWait = TimeSpan.FromSeconds(30);
    private static readonly string[] Hosts = ["garbage.test", "mismatch.test", "half.test"];
    private readonly Dictionary<string, string> _original = [];
    private readonly PosternServer _server = new();

    public async Task InitializeAsync()
    {
        await _server.InitAsync(users: []);
        var switches = new List<string>();
        foreach (var h in Hosts)
        {
            using var c = CertificateProbe.WriteCertificate(Cert(h), Key(h), h);
            _original[h] = CertificateProbe.Thumbprint(c);
            switches.Add($"--Tls:Certificates:{h}:Certificate={Cert(h)}");
            switches.Add($"--Tls:Certificates:{h}:Key={Key(h)}");
        }

        await _server.StartAsync(switches);
    }

    private string Cert(string host) => Path.Combine(_server.TlsDir, host, "cert.pem");

    private string Key(string host) => Path.Combine(_server.TlsDir, host, "key.pem");

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task AReplacedDefaultCertificateIsServedWithoutRestartAndGarbageIsRefused()
    {
        using var before = await _server.PresentedAsync(993, null);
        using var renewed = CertificateProbe.WriteCertificate(Path.Combine(_server.TlsDir, "cert.pem"), Path.Combine(_server.TlsDir, "key.pem"), "renewed.test");
        Assert.NotEqual(CertificateProbe.Thumbprint(before), CertificateProbe.Thumbprint(renewed));
        await _server.Serve.WaitForLogAsync("TLS certificate reloaded for default", LogWait);

        // Every TLS endpoint, the web one included, and another TLS stack agree.
        foreach (var port in new[] { 993, 995, 465, 443 })
        {
            using var now = await _server.PresentedAsync(port, null);
            Assert.Equal(CertificateProbe.Thumbprint(renewed), CertificateProbe.Thumbprint(now));
        }

        Assert.Contains("CN=renewed.test", await _server.PresentedSubjectByOpenSslAsync(993, null), StringComparison.Ordinal);

        await File.WriteAllTextAsync(Path.Combine(_server.TlsDir, "cert.pem"), "this is not a certificate\n");
        await _server.Serve.WaitForLogAsync("TLS certificate replacement refused for default", LogWait);
        using var still = await _server.PresentedAsync(993, null);
        Assert.Equal(CertificateProbe.Thumbprint(renewed), CertificateProbe.Thumbprint(still));
        Assert.False(_server.Serve.HasExited);
    }

    [Fact]
    public async Task GarbageIsRefusedAndTheOldCertificateKeepsServing()
    {
        const string host = "garbage.test";
        await File.WriteAllBytesAsync(Cert(host), System.Text.Encoding.ASCII.GetBytes("-----BEGIN CERTIFICATE-----\n%%%%not base64%%%%\n-----END CERTIFICATE-----\n"));
        await _server.Serve.WaitForLogAsync($"replacement refused for {host}", LogWait);
        await AssertStillOriginalAsync(host);
    }

    [Fact]
    public async Task AKeyThatDoesNotMatchIsRefusedAndTheOldCertificateKeepsServing()
    {
        const string host = "mismatch.test";
        // A new certificate next to the old key: exactly what a botched renewal leaves behind.
        string elsewhere = Path.Combine(_server.DataDir, "other-key.pem");
        using var other = CertificateProbe.WriteCertificate(Path.Combine(_server.DataDir, "other-cert.pem"), elsewhere, host);
        await File.WriteAllTextAsync(Cert(host), other.ExportCertificatePem() + "\n");
        await _server.Serve.WaitForLogAsync($"replacement refused for {host}", LogWait);
        await AssertStillOriginalAsync(host);
    }

    [Fact]
    public async Task AHalfWrittenCertificateIsRefusedThenTheCompletedOneIsTaken()
    {
        const string host = "half.test";
        string tmpCert = Path.Combine(_server.DataDir, "half-cert.pem");
        string tmpKey = Path.Combine(_server.DataDir, "half-key.pem");
        using var next = CertificateProbe.WriteCertificate(tmpCert, tmpKey, host);
        string pem = await File.ReadAllTextAsync(tmpCert);
        await File.WriteAllTextAsync(Cert(host), pem[..(pem.Length / 2)]);
        await _server.Serve.WaitForLogAsync($"replacement refused for {host}", LogWait);
        await AssertStillOriginalAsync(host);

        // The writer finishes (key, then the whole certificate): now it loads.
        File.Copy(tmpKey, Key(host), overwrite: true);
        await File.WriteAllTextAsync(Cert(host), pem);
        await _server.Serve.WaitForLogAsync($"TLS certificate reloaded for {host}", LogWait);
        using var now = await _server.PresentedAsync(993, host);
        Assert.Equal(CertificateProbe.Thumbprint(next), CertificateProbe.Thumbprint(now));
    }

    private async Task AssertStillOriginalAsync(string host)
    {
        foreach (var port in new[] { 993, 443 })
        {
            using var now = await _server.PresentedAsync(port, host);
            Assert.Equal(_original[host], CertificateProbe.Thumbprint(now));
        }

        Assert.False(_server.Serve.HasExited);
    }
}
