using System.Net;
using System.Net.Http;
using Postern.Integration.Tests.Support;

namespace Postern.Integration.Tests.Web;

/// <summary>
/// HttpClients for the web endpoints of the suite's server. HTTPS trusts exactly the certificate
/// the server generated (the fixture's pinning callback), never "any certificate". Redirects are
/// not followed, so tests see them.
/// </summary>
internal static class WebClients
{
    public static HttpClient Https(ServerFixture server) => new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        ConnectTimeout = TimeSpan.FromSeconds(10),
        SslOptions = { RemoteCertificateValidationCallback = server.ValidateCertificate },
    })
    {
        BaseAddress = new Uri($"https://{server.Host}:{server.Port(443)}"),
        Timeout = TimeSpan.FromSeconds(30),
    };

    public static HttpClient Http(ServerFixture server) => new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        ConnectTimeout = TimeSpan.FromSeconds(10),
    })
    {
        BaseAddress = new Uri($"http://{server.Host}:{server.Port(80)}"),
        Timeout = TimeSpan.FromSeconds(30),
    };

    public static HttpClient For(ServerFixture server, string scheme) => scheme == "https" ? Https(server) : Http(server);

    public static async Task<(HttpStatusCode Status, string Body, HttpResponseMessage Response)> GetAsync(HttpClient client, string path)
    {
        var response = await client.GetAsync(path);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }
}
