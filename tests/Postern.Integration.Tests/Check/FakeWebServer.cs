using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Postern.Integration.Tests.Check;

/// <summary>One HTTP request as the fake web server saw it.</summary>
public sealed record SeenRequest(string Method, string Host, string Path, string Body);

/// <summary>
/// A minimal HTTP/1.1 server (optionally behind TLS) that serves a Thunderbird autoconfig
/// document at /mail/config-v1.1.xml and an Autodiscover answer to POST
/// /autodiscover/autodiscover.xml; everything else is 404. One request per connection.
/// </summary>
public sealed class FakeWebServer : FakeServer
{
    private readonly X509Certificate2? _certificate;

    public FakeWebServer(int port, X509Certificate2? certificate)
        : base(port)
    {
        _certificate = certificate;
        Start();
    }

    public List<SeenRequest> Requests { get; } = [];

    protected override async Task SessionAsync(TcpClient client, CancellationToken ct)
    {
        try
        {
            Stream stream = client.GetStream();
            if (_certificate is not null)
            {
                var ssl = new SslStream(stream);
                await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _certificate }, ct);
                stream = ssl;
            }

            var buffer = new byte[16384];
            int length = 0;
            int headerEnd;
            while ((headerEnd = IndexOf(buffer, length, "\r\n\r\n"u8)) < 0)
            {
                int n = await stream.ReadAsync(buffer.AsMemory(length), ct);
                if (n == 0 || length + n >= buffer.Length)
                {
                    return;
                }

                length += n;
            }

            var head = Encoding.ASCII.GetString(buffer, 0, headerEnd).Split("\r\n");
            var requestLine = head[0].Split(' ');
            string Header(string name) => head.Skip(1).Select(h => h.Split(':', 2)).FirstOrDefault(h => h[0].Trim().Equals(name, StringComparison.OrdinalIgnoreCase))?[1].Trim() ?? "";
            int contentLength = int.TryParse(Header("Content-Length"), out int cl) ? Math.Min(cl, 8192) : 0;
            int bodyStart = headerEnd + 4;
            while (length - bodyStart < contentLength)
            {
                int n = await stream.ReadAsync(buffer.AsMemory(length), ct);
                if (n == 0)
                {
                    return;
                }

                length += n;
            }

            string path = requestLine[1].Split('?')[0];
            lock (Requests)
            {
                Requests.Add(new SeenRequest(requestLine[0], Header("Host"), path, Encoding.UTF8.GetString(buffer, bodyStart, contentLength)));
            }

            string? body = (requestLine[0], path) switch
            {
                ("GET", "/mail/config-v1.1.xml") => "<?xml version=\"1.0\"?>\n<clientConfig version=\"1.1\"><emailProvider id=\"localhost\"/></clientConfig>\n",
                ("POST", "/autodiscover/autodiscover.xml") => "<?xml version=\"1.0\"?>\n<Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006\"/>\n",
                _ => null,
            };
            string response = body is null
                ? "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                : $"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\nConnection: close\r\n\r\n{body}";
            await stream.WriteAsync(Encoding.UTF8.GetBytes(response), ct);
            await stream.FlushAsync(ct);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or System.Security.Authentication.AuthenticationException or SocketException)
        {
            // The client went away: the end of this exchange.
        }
    }

    private static int IndexOf(byte[] buffer, int length, ReadOnlySpan<byte> needle) => buffer.AsSpan(0, length).IndexOf(needle);
}
