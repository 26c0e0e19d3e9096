using System.Net;
using System.Net.Sockets;
using Postern.Integration.Tests.Support;

namespace Postern.Integration.Tests.Web;

/// <summary>The http/https entries of the endpoint table: a taken port is one clear sentence, and Enabled=false really turns one off.</summary>
public sealed class WebEndpointConfigTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "postern-web-" + Guid.NewGuid().ToString("N")[..8]);

    public WebEndpointConfigTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
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
    public async Task A_taken_HTTPS_port_is_one_clear_sentence()
    {
        Assert.Equal(0, (await PosternCli.RunAsync(_dir, null, "init", "--hostname", "localhost", "--domain", "example.test")).ExitCode);
        int offset = ServerFixture.FindFreeOffset();
        using var squatter = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        squatter.Bind(new IPEndPoint(IPAddress.Loopback, 443 + offset));
        squatter.Listen();
        var r = await PosternCli.RunAsync(_dir, null, "serve", "--port-offset", offset.ToString(), "--bind", "127.0.0.1");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains($"port {443 + offset} for https", r.StdErr);
        Assert.Contains("--port-offset", r.StdErr);
        Assert.DoesNotContain("   at ", r.All);
    }

    [Fact]
    public async Task A_Mode_on_a_web_endpoint_is_refused_in_one_sentence()
    {
        Assert.Equal(0, (await PosternCli.RunAsync(_dir, null, "init", "--hostname", "localhost", "--domain", "example.test")).ExitCode);
        var r = await PosternCli.RunAsync(_dir, null, "serve", "--port-offset", "30000", "--Endpoints:https:Mode=StartTls");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("Endpoint https is https, which has no Mode", r.StdErr);
        Assert.DoesNotContain("   at ", r.All);
    }

    [Fact]
    public async Task Disabled_HTTP_does_not_listen_and_a_moved_HTTPS_port_is_published()
    {
        Assert.Equal(0, (await PosternCli.RunAsync(_dir, null, "init", "--hostname", "localhost", "--domain", "example.test")).ExitCode);
        int offset = ServerFixture.FindFreeOffset();
        // Squat on the HTTP port: serve only starts if it really leaves HTTP alone.
        using var squatter = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        squatter.Bind(new IPEndPoint(IPAddress.Loopback, 80 + offset));
        squatter.Listen();
        using var cert = LoadCert();
        string pin = cert.GetCertHashString();
        await using var serve = await ServeProcess.StartAsync(
            ["--data", _dir, "serve", "--port-offset", offset.ToString(), "--bind", "127.0.0.1", "--Endpoints:http:Enabled=false", "--Endpoints:https:Port=444"]);
        using var client = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            SslOptions = { RemoteCertificateValidationCallback = (_, cert, _, _) => cert is not null && cert.GetCertHashString() == pin },
        })
        { Timeout = TimeSpan.FromSeconds(30) };
        var response = await client.GetAsync($"https://127.0.0.1:{444 + offset}/autodiscover/autodiscover.json?Email=ann@example.test&Protocol=AutodiscoverV1");
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body + serve.Log);
        Assert.Contains($"https://localhost:{444 + offset}/Autodiscover/Autodiscover.xml", body);
        Assert.Equal(0, await serve.StopAsync());
    }

    private System.Security.Cryptography.X509Certificates.X509Certificate2 LoadCert() =>
        System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(_dir, "tls", "cert.pem")));
}
