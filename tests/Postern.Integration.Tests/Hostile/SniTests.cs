namespace Postern.Integration.Tests.Hostile;

/// <summary>
/// Issue 5 point 9: with Tls:Certificates configured, the certificate follows the name the
/// client asks for (SNI, RFC 6066 section 3) on mail endpoints (implicit TLS and STARTTLS) and
/// on HTTPS; no name or an unknown name gets the default certificate.
/// </summary>
public sealed class SniTests : IAsyncLifetime
{
    private readonly Dictionary<string, string> _thumbprints = [];
    private readonly PosternServer _server = new();

    public async Task InitializeAsync()
    {
        await _server.InitAsync(users: []);
        var switches = new List<string>();
        foreach (var (key, cn) in new[] { ("mail.one.test", "mail.one.test"), ("mail.two.test", "mail.two.test"), ("*.wild.test", "any.wild.test") })
        {
            string dir = Path.Combine(_server.TlsDir, cn);
            using var c = CertificateProbe.WriteCertificate(Path.Combine(dir, "cert.pem"), Path.Combine(dir, "key.pem"), cn);
            _thumbprints[cn] = CertificateProbe.Thumbprint(c);
            // Relative paths: resolved against the data folder like the default certificate.
            switches.Add($"--Tls:Certificates:{key}:Certificate=tls/{cn}/cert.pem");
            switches.Add($"--Tls:Certificates:{key}:Key=tls/{cn}/key.pem");
        }

        await _server.StartAsync(switches);
        using var fallback = await _server.PresentedAsync(993, null);
        _thumbprints["default"] = CertificateProbe.Thumbprint(fallback);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData(993, "mail.one.test", "mail.one.test")]
    [InlineData(993, "MAIL.TWO.test", "mail.two.test")]
    [InlineData(995, "mail.two.test", "mail.two.test")]
    [InlineData(465, "mail.one.test", "mail.one.test")]
    [InlineData(443, "mail.two.test", "mail.two.test")]
    [InlineData(993, "x.wild.test", "any.wild.test")]
    [InlineData(993, "a.b.wild.test", "default")]
    [InlineData(993, "unknown.test", "default")]
    [InlineData(443, "unknown.test", "default")]
    public async Task TheCertificateFollowsTheRequestedName(int port, string sni, string expected)
    {
        using var presented = await _server.PresentedAsync(port, sni);
        Assert.Equal(_thumbprints[expected], CertificateProbe.Thumbprint(presented));
    }

    [Fact]
    public async Task NoNameGetsTheDefault()
    {
        using var presented = await _server.PresentedAsync(995, null);
        Assert.Equal(_thumbprints["default"], CertificateProbe.Thumbprint(presented));
        Assert.NotEqual(_thumbprints["default"], _thumbprints["mail.one.test"]);
    }

    [SkippableTheory]
    [InlineData(993, "mail.one.test", "CN=mail.one.test")]
    [InlineData(465, "mail.two.test", "CN=mail.two.test")]
    [InlineData(993, null, "CN=localhost")]
    public async Task OpenSslSeesTheSameChoice(int port, string? sni, string subject)
    {
        Assert.Contains(subject, await _server.PresentedSubjectByOpenSslAsync(port, sni), StringComparison.Ordinal);
    }

    [SkippableTheory]
    [InlineData(143, "imap")]
    [InlineData(110, "pop3")]
    [InlineData(587, "smtp")]
    public async Task StartTlsEndpointsChooseByNameToo(int port, string protocol)
    {
        var openssl = Support.ExternalClient.Require("openssl");
        var r = await ProcessRunner.RunAsync(openssl, ["s_client", "-connect", $"{_server.Host}:{_server.Port(port)}", "-starttls", protocol, "-servername", "mail.two.test"], stdin: "", timeout: TimeSpan.FromSeconds(30));
        Assert.Contains("subject=CN=mail.two.test", r.StdOut.Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }
}
