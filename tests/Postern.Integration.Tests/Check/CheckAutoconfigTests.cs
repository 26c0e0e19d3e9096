using System.Security.Cryptography.X509Certificates;
using Postern.Integration.Tests.Support;
using Postern.Net;

namespace Postern.Integration.Tests.Check;

/// <summary>The autoconfig/Autodiscover part of `postern check`, against a fake web server on loopback.</summary>
[Collection(CheckFakesCollection.Name)]
public sealed class CheckAutoconfigTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "postern-check-web-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly X509Certificate2 _cert = SelfSignedCertificate.Create("localhost", ["autoconfig.localhost", "autodiscover.localhost"]);

    public CheckAutoconfigTests()
    {
        Directory.CreateDirectory(_dir);
        SelfSignedCertificate.WritePem(_cert, Path.Combine(_dir, "cert.pem"), Path.Combine(_dir, "key.pem"));
    }

    public void Dispose()
    {
        _cert.Dispose();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // Temp data only.
        }
    }

    [Fact]
    public async Task Served_documents_are_found_at_the_hosts_address_with_the_domains_names_and_missing_ones_are_not_served()
    {
        int offset = ServerFixture.FindFreeOffset();
        await using var https = new FakeWebServer(443 + offset, _cert);
        await using var http = new FakeWebServer(80 + offset, null);
        var (r, report) = await CheckCli.RunJsonAsync("127.0.0.1", "--servername", "localhost", "--port-offset", offset.ToString(), "--ca", Path.Combine(_dir, "cert.pem"));
        var results = report.GetProperty("autoconfig").EnumerateArray().ToDictionary(a => a.GetProperty("name").GetString()!);

        Assert.True(results["autoconfig-https"].GetProperty("served").GetBoolean(), r.ToString());
        Assert.Equal("served", results["autoconfig-https"].GetProperty("detail").GetString()); // certificate valid for autoconfig.localhost via --ca
        Assert.True(results["autoconfig-http"].GetProperty("served").GetBoolean());
        Assert.False(results["well-known"].GetProperty("served").GetBoolean());
        Assert.Equal(404, results["well-known"].GetProperty("status").GetInt32());
        Assert.True(results["autodiscover"].GetProperty("served").GetBoolean());
        Assert.Equal("POST", results["autodiscover"].GetProperty("method").GetString());

        // Every request went to 127.0.0.1 (the only listeners), carrying the domain's names as Host.
        Assert.Contains(https.Requests, q => q.Host == $"autoconfig.localhost:{443 + offset}" && q.Path == "/mail/config-v1.1.xml");
        Assert.Contains(https.Requests, q => q.Host == $"localhost:{443 + offset}" && q.Path == "/.well-known/autoconfig/mail/config-v1.1.xml");
        Assert.Contains(http.Requests, q => q.Host == $"autoconfig.localhost:{80 + offset}");
        var discover = Assert.Single(https.Requests, q => q.Method == "POST");
        Assert.Equal($"autodiscover.localhost:{443 + offset}", discover.Host);
        Assert.Contains("<EMailAddress>postern-check-no-such-user@localhost</EMailAddress>", discover.Body);
    }
}
