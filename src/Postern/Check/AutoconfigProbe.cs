using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace Postern.Check;

/// <summary>
/// Which autoconfig (Thunderbird's config-v1.1.xml) and Autodiscover (Outlook's POX) documents
/// the domain serves. Every request goes to the checked host's address whatever name is in the
/// URL (the name only travels as Host header and SNI), so nothing else is ever contacted.
/// </summary>
public sealed class AutoconfigProbe
{
    private readonly string _host;
    private readonly string _serverName;
    private readonly int _portOffset;
    private readonly TimeSpan _timeout;
    private readonly TlsInspector _tls;

    public AutoconfigProbe(string host, string serverName, int portOffset, TimeSpan timeout, TlsInspector tls)
    {
        _tls = tls;
        _host = host;
        _serverName = serverName;
        _portOffset = portOffset;
        _timeout = timeout;
    }

    /// <summary>The mail domain: the server name without its first label when it has three or more; null for an address.</summary>
    public static string? DomainOf(string serverName)
    {
        if (IPAddress.TryParse(serverName, out _))
        {
            return null;
        }

        var labels = serverName.TrimEnd('.').Split('.');
        return labels.Length >= 3 ? string.Join('.', labels[1..]) : serverName.TrimEnd('.');
    }

    public async Task<List<AutoconfigResult>> RunAsync(CancellationToken ct)
    {
        string? domain = DomainOf(_serverName);
        int https = 443 + _portOffset;
        int http = 80 + _portOffset;
        string email = Uri.EscapeDataString(ProtocolDialect.InvalidUser.Replace("@invalid", "@" + (domain ?? "invalid"), StringComparison.Ordinal));
        string hostForUrl = IPAddress.TryParse(_serverName, out var ip) && ip.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{_serverName}]" : _serverName;
        var probes = new List<Task<AutoconfigResult>>
        {
            domain is null
                ? Task.FromResult(Skipped("autoconfig-https", "https://autoconfig.DOMAIN/mail/config-v1.1.xml"))
                : FetchAsync("autoconfig-https", $"https://autoconfig.{domain}:{https}/mail/config-v1.1.xml?emailaddress={email}", null, "clientConfig", ct),
            domain is null
                ? Task.FromResult(Skipped("autoconfig-http", "http://autoconfig.DOMAIN/mail/config-v1.1.xml"))
                : FetchAsync("autoconfig-http", $"http://autoconfig.{domain}:{http}/mail/config-v1.1.xml?emailaddress={email}", null, "clientConfig", ct),
            FetchAsync("well-known", $"https://{hostForUrl}:{https}/.well-known/autoconfig/mail/config-v1.1.xml", null, "clientConfig", ct),
            domain is null
                ? Task.FromResult(Skipped("autodiscover", "https://autodiscover.DOMAIN/autodiscover/autodiscover.xml"))
                : FetchAsync("autodiscover", $"https://autodiscover.{domain}:{https}/autodiscover/autodiscover.xml", AutodiscoverRequest(Uri.UnescapeDataString(email)), "Autodiscover", ct),
        };
        return [.. await Task.WhenAll(probes)];
    }

    private static AutoconfigResult Skipped(string name, string url) =>
        new() { Name = name, Url = url, Detail = "not checked: the server name is an address, so there is no domain (give --servername)" };

    // The Outlook POX request (MS-OXDSCLI section 2.2.3): the address is the invalid probe user.
    private static string AutodiscoverRequest(string email) =>
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n" +
        "<Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006\">\n" +
        $"  <Request><EMailAddress>{System.Security.SecurityElement.Escape(email)}</EMailAddress>\n" +
        "  <AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema></Request>\n" +
        "</Autodiscover>\n";

    private async Task<AutoconfigResult> FetchAsync(string name, string url, string? postBody, string rootElement, CancellationToken ct)
    {
        var result = new AutoconfigResult { Name = name, Url = url, Method = postBody is null ? "GET" : "POST" };
        bool certificateOk = true;
        using var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            ConnectTimeout = _timeout / 2,
            ConnectCallback = async (context, token) =>
            {
                // Always the checked host, whatever name the URL carries.
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(_host, context.DnsEndPoint.Port, token);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, cert, chain, errors) =>
                {
                    // The same judgement as the mail ports (system store or --ca), for the URL's name.
                    if (cert is not null)
                    {
                        using var presented = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(cert.GetRawCertData());
                        var c = _tls.Judge(presented, chain?.ChainPolicy.ExtraStore ?? [], errors, new Uri(url).IdnHost, DateTimeOffset.UtcNow);
                        certificateOk = c.Trusted && c.NameMatches && !c.Expired;
                    }
                    else
                    {
                        certificateOk = false;
                    }

                    return true; // reported below; the document itself is what is being checked
                },
            },
        };
        using var client = new HttpClient(handler) { Timeout = _timeout };
        try
        {
            using var request = new HttpRequestMessage(postBody is null ? HttpMethod.Get : HttpMethod.Post, url);
            if (postBody is not null)
            {
                request.Content = new StringContent(postBody, Encoding.UTF8, "text/xml");
            }

            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            result.Status = (int)response.StatusCode;
            if (response.StatusCode != HttpStatusCode.OK)
            {
                result.Detail = response.StatusCode is HttpStatusCode.NotFound ? "not served (404)" : $"not served (HTTP {(int)response.StatusCode})";
                return result;
            }

            string body = await ReadBoundedAsync(response, 256 * 1024, ct);
            result.Served = body.Contains("<" + rootElement, StringComparison.Ordinal) || body.Contains(":" + rootElement, StringComparison.Ordinal);
            result.Detail = result.Served ? "served" : "HTTP 200, but not a " + rootElement + " document";
            if (result.Served && !certificateOk && url.StartsWith("https", StringComparison.Ordinal))
            {
                result.Detail += "; but the HTTPS certificate is not valid for this name, so email programs will not use it";
            }
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
        {
            result.Detail = e is OperationCanceledException ? $"not served (no answer within {_timeout.TotalSeconds:0} s)" : "not served (" + ProbeChannel.Printable(Innermost(e), 100) + ")";
        }

        return result;
    }

    private static async Task<string> ReadBoundedAsync(HttpResponseMessage response, int max, CancellationToken ct)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        var buffer = new byte[max];
        int total = 0;
        int n;
        while (total < max && (n = await stream.ReadAsync(buffer.AsMemory(total), ct)) > 0)
        {
            total += n;
        }

        return Encoding.UTF8.GetString(buffer, 0, total);
    }

    private static string Innermost(Exception e)
    {
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }

        return e.Message;
    }
}
