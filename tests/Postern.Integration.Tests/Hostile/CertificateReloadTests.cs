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
    private TlsTestServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await TlsTestServer.StartAsync(s =>
        {
            var switches = new List<string>();
            foreach (var h in Hosts)
            {
                using var c = TlsTestServer.WriteCertificate(Cert(s, h), Key(s, h), h);
                _original[h] = TlsTestServer.Thumbprint(c);
                switches.Add($"--Tls:Certificates:{h}:Certificate={Cert(s, h)}");
                switches.Add($"--Tls:Certificates:{h}:Key={Key(s, h)}");
            }

            return switches;
        });
    }

    private static string Cert(TlsTestServer s, string host) => Path.Combine(s.TlsDir, host, "cert.pem");

    private static string Key(TlsTestServer s, string host) => Path.Combine(s.TlsDir, host, "key.pem");

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task AReplacedDefaultCertificateIsServedWithoutRestartAndGarbageIsRefused()
    {
        using var before = await _server.PresentedAsync(993, null);
        using var renewed = TlsTestServer.WriteCertificate(Path.Combine(_server.TlsDir, "cert.pem"), Path.Combine(_server.TlsDir, "key.pem"), "renewed.test");
        Assert.NotEqual(TlsTestServer.Thumbprint(before), TlsTestServer.Thumbprint(renewed));
        await _server.Serve.WaitForLogAsync("TLS certificate reloaded for default", LogWait);

        // Every TLS endpoint, the web one included, and another TLS stack agree.
        foreach (var port in new[] { 993, 995, 465, 443 })
        {
            using var now = await _server.PresentedAsync(port, null);
            Assert.Equal(TlsTestServer.Thumbprint(renewed), TlsTestServer.Thumbprint(now));
        }

        Assert.Contains("CN=renewed.test", await _server.PresentedSubjectByOpenSslAsync(993, null), StringComparison.Ordinal);

        await File.WriteAllTextAsync(Path.Combine(_server.TlsDir, "cert.pem"), "this is not a certificate\n");
        await _server.Serve.WaitForLogAsync("TLS certificate replacement refused for default", LogWait);
        using var still = await _server.PresentedAsync(993, null);
        Assert.Equal(TlsTestServer.Thumbprint(renewed), TlsTestServer.Thumbprint(still));
        Assert.False(_server.Serve.HasExited);
    }

    [Fact]
    public async Task GarbageIsRefusedAndTheOldCertificateKeepsServing()
    {
        const string host = "garbage.test";
        await File.WriteAllBytesAsync(Cert(_server, host), System.Text.Encoding.ASCII.GetBytes("-----BEGIN CERTIFICATE-----\n%%%%not base64%%%%\n-----END CERTIFICATE-----\n"));
        await _server.Serve.WaitForLogAsync($"replacement refused for {host}", LogWait);
        await AssertStillOriginalAsync(host);
    }

    [Fact]
    public async Task AKeyThatDoesNotMatchIsRefusedAndTheOldCertificateKeepsServing()
    {
        const string host = "mismatch.test";
        // A new certificate next to the old key: exactly what a botched renewal leaves behind.
        string elsewhere = Path.Combine(_server.DataDir, "other-key.pem");
        using var other = TlsTestServer.WriteCertificate(Path.Combine(_server.DataDir, "other-cert.pem"), elsewhere, host);
        await File.WriteAllTextAsync(Cert(_server, host), other.ExportCertificatePem() + "\n");
        await _server.Serve.WaitForLogAsync($"replacement refused for {host}", LogWait);
        await AssertStillOriginalAsync(host);
    }

    [Fact]
    public async Task AHalfWrittenCertificateIsRefusedThenTheCompletedOneIsTaken()
    {
        const string host = "half.test";
        string tmpCert = Path.Combine(_server.DataDir, "half-cert.pem");
        string tmpKey = Path.Combine(_server.DataDir, "half-key.pem");
        using var next = TlsTestServer.WriteCertificate(tmpCert, tmpKey, host);
        string pem = await File.ReadAllTextAsync(tmpCert);
        await File.WriteAllTextAsync(Cert(_server, host), pem[..(pem.Length / 2)]);
        await _server.Serve.WaitForLogAsync($"replacement refused for {host}", LogWait);
        await AssertStillOriginalAsync(host);

        // The writer finishes (key, then the whole certificate): now it loads.
        File.Copy(tmpKey, Key(_server, host), overwrite: true);
        await File.WriteAllTextAsync(Cert(_server, host), pem);
        await _server.Serve.WaitForLogAsync($"TLS certificate reloaded for {host}", LogWait);
        using var now = await _server.PresentedAsync(993, host);
        Assert.Equal(TlsTestServer.Thumbprint(next), TlsTestServer.Thumbprint(now));
    }

    private async Task AssertStillOriginalAsync(string host)
    {
        foreach (var port in new[] { 993, 443 })
        {
            using var now = await _server.PresentedAsync(port, host);
            Assert.Equal(_original[host], TlsTestServer.Thumbprint(now));
        }

        Assert.False(_server.Serve.HasExited);
    }
}
