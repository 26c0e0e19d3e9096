using System.Net;
using System.Text.Json;
using Postern.Integration.Tests.Support;

namespace Postern.Integration.Tests.Web;

/// <summary>The Apple configuration profile and the IETF PACC draft document from a running Postern.</summary>
[Collection(ServerCollection.Name)]
public sealed class PublishedDocumentTests(ServerFixture server)
{
    // python3's plistlib is the parser: the profile must be a real property list, not just XML.
    private const string PlistDump = """
        import json, plistlib, sys
        d = plistlib.loads(sys.stdin.buffer.read())
        print(json.dumps(d, default=str))
        """;

    [SkippableTheory]
    [InlineData("/profile.mobileconfig?emailaddress=erin@example.test")]
    [InlineData("/profile/erin@example.test.mobileconfig")]
    [InlineData("/Profile/Erin%40Example.test.mobileconfig")]
    public async Task The_profile_is_a_plist_with_IMAP_993_and_SMTP_465_over_SSL_and_no_password(string path)
    {
        var python = ExternalClient.Require("python3");
        using var client = WebClients.Https(server);
        var response = await client.GetAsync(path);
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.StatusCode}: {body}");
        Assert.Equal("application/x-apple-aspen-config", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("attachment", response.Content.Headers.ContentDisposition?.ToString());

        var r = await ProcessRunner.RunAsync(python, ["-c", PlistDump], stdin: body);
        Assert.True(r.ExitCode == 0, r.ToString());
        using var doc = JsonDocument.Parse(r.StdOut);
        var root = doc.RootElement;
        Assert.Equal("Configuration", root.GetProperty("PayloadType").GetString());
        Assert.Equal(1, root.GetProperty("PayloadVersion").GetInt32());
        var payloads = root.GetProperty("PayloadContent").EnumerateArray().ToList();
        var mail = Assert.Single(payloads);
        Assert.Equal("com.apple.mail.managed", mail.GetProperty("PayloadType").GetString());
        Assert.Equal("EmailTypeIMAP", mail.GetProperty("EmailAccountType").GetString());
        Assert.Equal("erin@example.test", mail.GetProperty("EmailAddress").GetString());
        Assert.Equal("localhost", mail.GetProperty("IncomingMailServerHostName").GetString());
        Assert.Equal(server.Port(993), mail.GetProperty("IncomingMailServerPortNumber").GetInt32());
        Assert.True(mail.GetProperty("IncomingMailServerUseSSL").GetBoolean());
        Assert.Equal("erin@example.test", mail.GetProperty("IncomingMailServerUsername").GetString());
        Assert.Equal("EmailAuthPassword", mail.GetProperty("IncomingMailServerAuthentication").GetString());
        Assert.Equal(server.Port(465), mail.GetProperty("OutgoingMailServerPortNumber").GetInt32());
        Assert.True(mail.GetProperty("OutgoingMailServerUseSSL").GetBoolean());
        Assert.False(mail.TryGetProperty("IncomingPassword", out _));
        Assert.False(mail.TryGetProperty("OutgoingPassword", out _));
        Assert.True(Guid.TryParse(mail.GetProperty("PayloadUUID").GetString(), out _));
        Assert.NotEqual(mail.GetProperty("PayloadUUID").GetString(), root.GetProperty("PayloadUUID").GetString());
    }

    [Theory]
    [InlineData("/profile.mobileconfig", HttpStatusCode.BadRequest)]
    [InlineData("/profile.mobileconfig?emailaddress=erin", HttpStatusCode.BadRequest)]
    [InlineData("/profile.mobileconfig?emailaddress=erin@elsewhere.test", HttpStatusCode.NotFound)]
    public async Task A_profile_needs_an_address_of_a_served_domain(string path, HttpStatusCode expected)
    {
        using var client = WebClients.Https(server);
        var (status, body, _) = await WebClients.GetAsync(client, path);
        Assert.Equal(expected, status);
        Assert.False(string.IsNullOrWhiteSpace(body));
    }

    [Fact]
    public async Task The_PACC_document_names_the_implicit_TLS_servers()
    {
        using var client = WebClients.Https(server);
        var (status, body, response) = await WebClients.GetAsync(client, "/.well-known/user-agent-configuration.json");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var doc = JsonDocument.Parse(body);
        var protocols = doc.RootElement.GetProperty("protocols");
        Assert.Equal("localhost", protocols.GetProperty("imap").GetProperty("host").GetString());
        Assert.Equal("localhost", protocols.GetProperty("submit").GetProperty("host").GetString());
        Assert.True(doc.RootElement.GetProperty("authentication").GetProperty("password").GetBoolean());
    }

    /// <summary>The draft authenticates the document by a DNS TXT digest of its exact bytes: `postern dns` must print the digest of what is served.</summary>
    [Fact]
    public async Task The_dns_command_prints_the_digest_of_the_served_PACC_bytes()
    {
        using var client = WebClients.Https(server);
        byte[] body = await client.GetByteArrayAsync("/.well-known/user-agent-configuration.json");
        string digest = Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(body));
        var r = await PosternCli.RunAsync(server.DataDir, null, "dns", ServerFixture.Domain);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains($"\"v=UAAC1; a=sha256; d={digest}\"", r.StdOut);
        Assert.Contains($"_autodiscover._tcp.{ServerFixture.Domain}.", r.StdOut);
    }
}
