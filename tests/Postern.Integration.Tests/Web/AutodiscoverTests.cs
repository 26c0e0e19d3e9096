using System.Net;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using Postern.Integration.Tests.Support;

namespace Postern.Integration.Tests.Web;

/// <summary>Microsoft Autodiscover v1 (POX, as Outlook and Thunderbird send it) and v2 (JSON) against a running Postern.</summary>
[Collection(ServerCollection.Name)]
public sealed class AutodiscoverTests(ServerFixture server)
{
    private static readonly XNamespace Outlook = "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a";

    internal static string OutlookRequest(string address) =>
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>" +
        "<Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006\"><Request>" +
        $"<EMailAddress>{address}</EMailAddress>" +
        "<AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema>" +
        "</Request></Autodiscover>";

    [Theory]
    [InlineData("/autodiscover/autodiscover.xml")]
    [InlineData("/Autodiscover/Autodiscover.xml")]
    [InlineData("/AutoDiscover/AutoDiscover.xml")]
    [InlineData("/AUTODISCOVER/AUTODISCOVER.XML")]
    [InlineData("/autodiscover/Autodiscover.xml")]
    public async Task Outlook_POST_in_every_path_casing_gets_SSL_for_implicit_TLS_and_TLS_for_STARTTLS(string path)
    {
        using var client = WebClients.Https(server);
        var response = await client.PostAsync(path, new StringContent(OutlookRequest("Bob@Example.test"), Encoding.UTF8, "text/xml"));
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.StatusCode}: {body}");
        AssertPox(body, "bob@example.test", server.Offset);
    }

    [Fact]
    public async Task GET_with_an_address_answers_too()
    {
        using var client = WebClients.Https(server);
        var (status, body, _) = await WebClients.GetAsync(client, "/Autodiscover/Autodiscover.xml?emailaddress=carol@example.test");
        Assert.Equal(HttpStatusCode.OK, status);
        AssertPox(body, "carol@example.test", server.Offset);
    }

    [SkippableFact]
    public async Task Curl_POSTs_an_Outlook_request()
    {
        var curl = ExternalClient.Require("curl");
        var r = await ProcessRunner.RunAsync(curl,
            ["-sS", "--fail", "--max-time", "30", "--cacert", server.CertPath, "-H", "Content-Type: text/xml; charset=utf-8", "--data-binary", "@-",
             $"https://{server.Host}:{server.Port(443)}/Autodiscover/Autodiscover.xml"],
            stdin: OutlookRequest("dave@example.test"));
        Assert.True(r.ExitCode == 0, r.ToString());
        AssertPox(r.StdOut, "dave@example.test", server.Offset);
    }

    [Theory]
    [InlineData("<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x \"alice@example.test\">]><r><EMailAddress>&x;</EMailAddress></r>", 400, "DTD")]
    [InlineData("<r><EMailAddress>alice@example.test</EMailAddress>", 400, "not well-formed")]
    [InlineData("<r><Other/></r>", 400, "no EMailAddress")]
    [InlineData("<r><EMailAddress>nobody</EMailAddress></r>", 400, "not an email address")]
    [InlineData("<r><EMailAddress>x@elsewhere.test</EMailAddress></r>", 404, "elsewhere.test")]
    public async Task Bad_requests_get_a_clear_text_answer(string body, int expected, string text)
    {
        using var client = WebClients.Https(server);
        var response = await client.PostAsync("/autodiscover/autodiscover.xml", new StringContent(body, Encoding.UTF8, "text/xml"));
        string answer = await response.Content.ReadAsStringAsync();
        Assert.Equal(expected, (int)response.StatusCode);
        Assert.Contains(text, answer);
    }

    [Fact]
    public async Task A_request_body_over_the_limit_is_refused()
    {
        using var client = WebClients.Https(server);
        string big = "<r><EMailAddress>alice@example.test</EMailAddress>" + new string(' ', 20_000) + "</r>";
        var response = await client.PostAsync("/autodiscover/autodiscover.xml", new StringContent(big, Encoding.UTF8, "text/xml"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Theory]
    [InlineData("/autodiscover/autodiscover.json?Email=alice@example.test&Protocol=AutodiscoverV1")]
    [InlineData("/Autodiscover/Autodiscover.json/v1.0/alice@example.test?Protocol=autodiscoverv1")]
    public async Task Autodiscover_v2_points_at_the_POX_URL(string path)
    {
        using var client = WebClients.Https(server);
        var (status, body, _) = await WebClients.GetAsync(client, path);
        Assert.Equal(HttpStatusCode.OK, status);
        using var doc = JsonDocument.Parse(body);
        Assert.Equal("AutodiscoverV1", doc.RootElement.GetProperty("Protocol").GetString());
        Assert.Equal($"https://localhost:{server.Port(443)}/Autodiscover/Autodiscover.xml", doc.RootElement.GetProperty("Url").GetString());
    }

    [Fact]
    public async Task Autodiscover_v2_refuses_other_protocols_and_missing_addresses()
    {
        using var client = WebClients.Https(server);
        var (status, body, _) = await WebClients.GetAsync(client, "/autodiscover/autodiscover.json?Email=alice@example.test&Protocol=ActiveSync");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        using (var doc = JsonDocument.Parse(body))
        {
            Assert.Equal("InvalidProtocol", doc.RootElement.GetProperty("ErrorCode").GetString());
        }

        (status, _, _) = await WebClients.GetAsync(client, "/autodiscover/autodiscover.json?Protocol=AutodiscoverV1");
        Assert.Equal(HttpStatusCode.BadRequest, status);
    }

    private static void AssertPox(string xml, string address, int offset)
    {
        var root = XDocument.Parse(xml).Root!;
        Assert.Equal("http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006", root.Name.NamespaceName);
        var account = root.Element(Outlook + "Response")!.Element(Outlook + "Account")!;
        Assert.Equal("email", account.Element(Outlook + "AccountType")!.Value);
        Assert.Equal("settings", account.Element(Outlook + "Action")!.Value);
        var protocols = account.Elements(Outlook + "Protocol").ToList();
        Assert.Equal(
            [("IMAP", 993, "SSL"), ("IMAP", 143, "TLS"), ("POP3", 995, "SSL"), ("POP3", 110, "TLS"), ("SMTP", 465, "SSL"), ("SMTP", 587, "TLS"), ("SMTP", 26, "TLS")],
            protocols.Select(p => (p.Element(Outlook + "Type")!.Value, int.Parse(p.Element(Outlook + "Port")!.Value) - offset, p.Element(Outlook + "Encryption")!.Value)).ToList());
        foreach (var p in protocols)
        {
            Assert.Equal("on", p.Element(Outlook + "SSL")!.Value);
            Assert.Equal("off", p.Element(Outlook + "SPA")!.Value);
            Assert.Equal("localhost", p.Element(Outlook + "Server")!.Value);
            Assert.Equal(address, p.Element(Outlook + "LoginName")!.Value);
        }

        Assert.DoesNotContain(">None<", xml);
    }
}
