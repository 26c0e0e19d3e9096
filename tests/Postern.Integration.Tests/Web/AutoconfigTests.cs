using System.Net;
using System.Xml.Linq;
using Postern.Integration.Tests.Support;

namespace Postern.Integration.Tests.Web;

/// <summary>
/// Thunderbird autoconfig (config-v1.1.xml) as Thunderbird, Thunderbird for Android and Geary fetch
/// it: both paths, with and without ?emailaddress=, over HTTPS and HTTP, from a running Postern.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class AutoconfigTests(ServerFixture server)
{
    public static TheoryData<string, string> Requests => new()
    {
        { "https", "/mail/config-v1.1.xml?emailaddress=alice%40example.test" },
        { "https", "/mail/config-v1.1.xml" },
        { "https", "/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=alice@example.test" },
        { "https", "/.well-known/autoconfig/mail/config-v1.1.xml" },
        { "http", "/mail/config-v1.1.xml?emailaddress=alice%40example.test" },
        { "http", "/mail/config-v1.1.xml" },
        { "http", "/.well-known/autoconfig/mail/config-v1.1.xml" },
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public async Task Autoconfig_lists_IMAP_first_implicit_TLS_first_and_never_plain(string scheme, string path)
    {
        using var client = WebClients.For(server, scheme);
        var (status, body, response) = await WebClients.GetAsync(client, path);
        Assert.True(status == HttpStatusCode.OK, $"{status}: {body}\n{server.Log}");
        Assert.StartsWith("application/xml", response.Content.Headers.ContentType?.ToString());
        AssertThunderbirdDocument(body, server.Offset);
        Assert.Equal(scheme == "https", response.Headers.Contains("Strict-Transport-Security"));
    }

    [SkippableTheory]
    [InlineData("https")]
    [InlineData("http")]
    public async Task Curl_fetches_the_autoconfig_document(string scheme)
    {
        var curl = ExternalClient.Require("curl");
        int port = server.Port(scheme == "https" ? 443 : 80);
        var r = await ProcessRunner.RunAsync(curl,
            ["-sS", "--fail", "--max-time", "30", "--cacert", server.CertPath, $"{scheme}://{server.Host}:{port}/mail/config-v1.1.xml?emailaddress=bob@example.test"]);
        Assert.True(r.ExitCode == 0, r.ToString());
        AssertThunderbirdDocument(r.StdOut, server.Offset);
    }

    [Theory]
    [InlineData("/mail/config-v1.1.xml?emailaddress=not-an-address", HttpStatusCode.BadRequest, "not an email address")]
    [InlineData("/mail/config-v1.1.xml?emailaddress=alice@", HttpStatusCode.BadRequest, "not an email address")]
    [InlineData("/mail/config-v1.1.xml?emailaddress=a%20b@example.test", HttpStatusCode.BadRequest, "not an email address")]
    [InlineData("/mail/config-v1.1.xml?emailaddress=alice@elsewhere.test", HttpStatusCode.NotFound, "does not handle mail for elsewhere.test")]
    public async Task Bad_addresses_get_a_clear_text_answer(string path, HttpStatusCode expected, string text)
    {
        using var client = WebClients.Https(server);
        var (status, body, response) = await WebClients.GetAsync(client, path);
        Assert.Equal(expected, status);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.ToString());
        Assert.Contains(text, body);
    }

    [Fact]
    public async Task The_autoconfig_host_name_selects_the_domain()
    {
        using var client = WebClients.Http(server);
        using var served = new HttpRequestMessage(HttpMethod.Get, "/mail/config-v1.1.xml");
        served.Headers.Host = "autoconfig.example.test";
        var response = await client.SendAsync(served);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("example.test", XDocument.Parse(await response.Content.ReadAsStringAsync()).Root!.Element("emailProvider")!.Attribute("id")!.Value);

        using var other = new HttpRequestMessage(HttpMethod.Get, "/mail/config-v1.1.xml");
        other.Headers.Host = "autoconfig.elsewhere.test";
        response = await client.SendAsync(other);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    /// <summary>Every published server answers on its port in the published mode: the documents describe the live endpoints.</summary>
    [Fact]
    public async Task Every_published_server_answers_in_its_published_mode()
    {
        using var client = WebClients.Https(server);
        var (_, body, _) = await WebClients.GetAsync(client, "/mail/config-v1.1.xml");
        var servers = XDocument.Parse(body).Descendants().Where(e => e.Name.LocalName is "incomingServer" or "outgoingServer").ToList();
        Assert.NotEmpty(servers);
        foreach (var s in servers)
        {
            int port = int.Parse(s.Element("port")!.Value);
            string type = s.Attribute("type")!.Value;
            string greeting = type switch { "imap" => "* OK", "pop3" => "+OK", _ => "220" };
            await using var raw = await RawClient.ConnectAsync(server, port - server.Offset, implicitTls: s.Element("socketType")!.Value == "SSL");
            Assert.StartsWith(greeting, await raw.ReadLineAsync());
        }
    }

    internal static void AssertThunderbirdDocument(string xml, int offset)
    {
        var provider = XDocument.Parse(xml).Root!;
        Assert.Equal("clientConfig", provider.Name.LocalName);
        Assert.Equal("1.1", provider.Attribute("version")?.Value);
        var ep = provider.Element("emailProvider")!;
        Assert.Contains("example.test", ep.Elements("domain").Select(d => d.Value));
        var incoming = ep.Elements("incomingServer").ToList();
        var outgoing = ep.Elements("outgoingServer").ToList();
        Assert.Equal("imap", incoming[0].Attribute("type")!.Value);
        Assert.Equal(
            [("imap", 993, "SSL"), ("imap", 143, "STARTTLS"), ("pop3", 995, "SSL"), ("pop3", 110, "STARTTLS")],
            incoming.Select(s => (s.Attribute("type")!.Value, int.Parse(s.Element("port")!.Value) - offset, s.Element("socketType")!.Value)).ToList());
        Assert.Equal(
            [("smtp", 465, "SSL"), ("smtp", 587, "STARTTLS"), ("smtp", 26, "STARTTLS")],
            outgoing.Select(s => (s.Attribute("type")!.Value, int.Parse(s.Element("port")!.Value) - offset, s.Element("socketType")!.Value)).ToList());
        foreach (var s in incoming.Concat(outgoing))
        {
            Assert.Equal("localhost", s.Element("hostname")!.Value);
            Assert.Equal("%EMAILADDRESS%", s.Element("username")!.Value);
            Assert.Equal("password-cleartext", s.Element("authentication")!.Value);
            Assert.All(s.Elements("socketType"), t => Assert.NotEqual("plain", t.Value.ToLowerInvariant()));
        }
    }
}
