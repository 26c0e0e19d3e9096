using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Postern.Integration.Tests.Support;
using Postern.Settings;

namespace Postern.Integration.Tests.Web;

/// <summary>The settings page served over HTTPS, and HTTP's redirect of everything but autoconfig.</summary>
[Collection(ServerCollection.Name)]
public sealed partial class SettingsPageTests(ServerFixture server)
{
    [Fact]
    public async Task The_page_shows_every_programs_labels_and_loads_nothing_from_elsewhere()
    {
        using var client = WebClients.Https(server);
        var (status, html, response) = await WebClients.GetAsync(client, "/");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<html lang=\"en\">", html);
        Assert.Contains("<meta name=\"viewport\"", html);
        string text = WebUtility.HtmlDecode(html);
        foreach (var p in ClientCatalog.All)
        {
            Assert.Contains(p.Name, text);
            Assert.Contains(p.Field, text);
            Assert.Contains(p.ImplicitTls, text);
            Assert.Contains(p.StartTls, text);
            if (p.Warning is not null)
            {
                Assert.Contains(p.Warning, text);
            }
        }

        Assert.Contains("STARTTLS", text);
        Assert.Contains(server.Port(993).ToString(), text);
        Assert.Contains(server.Port(587).ToString(), text);
        Assert.Contains("href=\"/mail/config-v1.1.xml\"", html);
        Assert.Contains("action=\"/profile.mobileconfig\"", html);

        // No external resource and no script: every src/href/action is local.
        var refs = Reference().Matches(html).Select(m => m.Groups[2].Value).ToList();
        Assert.NotEmpty(refs);
        Assert.All(refs, r => Assert.True(r.StartsWith('/') || r.StartsWith('#'), $"non-local reference {r}"));
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("http://", html);
        Assert.DoesNotContain("https://", html);
    }

    [Fact]
    public async Task The_page_has_security_headers_and_its_inline_style_is_exactly_what_the_CSP_allows()
    {
        using var client = WebClients.Https(server);
        var (_, html, response) = await WebClients.GetAsync(client, "/");
        string csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'none'", csp);
        Assert.DoesNotContain("unsafe-inline", csp);
        var style = Regex.Match(html, "<style>(.*?)</style>", RegexOptions.Singleline);
        Assert.True(style.Success);
        string hash = Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(style.Groups[1].Value)));
        Assert.Contains($"style-src 'sha256-{hash}'", csp);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.StartsWith("max-age=", Assert.Single(response.Headers.GetValues("Strict-Transport-Security")));
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/autodiscover/autodiscover.xml")]
    [InlineData("/Autodiscover/Autodiscover.xml")]
    [InlineData("/.well-known/user-agent-configuration.json")]
    [InlineData("/profile.mobileconfig?emailaddress=alice@example.test")]
    [InlineData("/no/such/page")]
    public async Task HTTP_redirects_everything_but_autoconfig_to_HTTPS(string path)
    {
        using var client = WebClients.Http(server);
        var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Equal($"https://localhost:{server.Port(443)}{path}", response.Headers.Location?.OriginalString);
        Assert.False(response.Headers.Contains("Strict-Transport-Security"));
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task HTTP_redirects_an_Autodiscover_POST_without_reading_it()
    {
        using var client = WebClients.Http(server);
        var response = await client.PostAsync("/Autodiscover/Autodiscover.xml", new StringContent(AutodiscoverTests.OutlookRequest("alice@example.test"), Encoding.UTF8, "text/xml"));
        Assert.Equal(HttpStatusCode.PermanentRedirect, response.StatusCode);
        Assert.Equal($"https://localhost:{server.Port(443)}/Autodiscover/Autodiscover.xml", response.Headers.Location?.OriginalString);
    }

    [SkippableFact]
    public async Task Curl_sees_the_redirect_and_the_page()
    {
        var curl = ExternalClient.Require("curl");
        var r = await ProcessRunner.RunAsync(curl, ["-sS", "--max-time", "30", "-o", "/dev/null", "-w", "%{http_code} %{redirect_url}", $"http://{server.Host}:{server.Port(80)}/"]);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal($"302 https://localhost:{server.Port(443)}/", r.StdOut.Trim());
        r = await ProcessRunner.RunAsync(curl, ["-sS", "--fail", "--max-time", "30", "--cacert", server.CertPath, $"https://{server.Host}:{server.Port(443)}/"]);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains(ClientCatalog.Find("outlook")!.Name, WebUtility.HtmlDecode(r.StdOut));
    }

    [Fact]
    public async Task Unknown_paths_and_methods_get_clear_answers()
    {
        using var client = WebClients.Https(server);
        var (status, body, _) = await WebClients.GetAsync(client, "/no/such/page");
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Contains("settings page", body);
        var response = await client.PutAsync("/", new StringContent("x"));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }

    [GeneratedRegex("(src|href|action)=\"([^\"]*)\"", RegexOptions.IgnoreCase)]
    private static partial Regex Reference();
}
