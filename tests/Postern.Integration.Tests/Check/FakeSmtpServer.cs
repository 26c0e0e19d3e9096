using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Postern.Integration.Tests.Check;

/// <summary>How a deliberately broken SMTP server misbehaves.</summary>
public sealed record FakeSmtpFlaws
{
    /// <summary>Advertise (and accept) AUTH PLAIN before STARTTLS.</summary>
    public bool AuthBeforeTls { get; init; }

    /// <summary>Keep commands pipelined behind STARTTLS and execute them inside TLS (CVE-2011-0411).</summary>
    public bool KeepPipelinedCommands { get; init; }

    /// <summary>Refuse STARTTLS (and hang up) when another command was pipelined behind it.</summary>
    public bool RefusePipelinedStartTls { get; init; }

    /// <summary>Start TLS at once (implicit TLS) instead of greeting in plaintext.</summary>
    public bool ImplicitTls { get; init; }
}

/// <summary>
/// A tiny SMTP server on 127.0.0.1 with chosen flaws, so `postern check` can be shown to catch
/// them. It answers EHLO, STARTTLS, NOOP, RSET, AUTH (always 535) and QUIT; nothing else.
/// </summary>
public sealed class FakeSmtpServer : FakeServer
{
    private readonly X509Certificate2 _certificate;
    private readonly FakeSmtpFlaws _flaws;

    public FakeSmtpServer(int port, X509Certificate2 certificate, FakeSmtpFlaws flaws)
        : base(port)
    {
        _certificate = certificate;
        _flaws = flaws;
        Start();
    }

    /// <summary>Commands received inside TLS (after a STARTTLS or implicit handshake), in order.</summary>
    public List<string> CommandsInsideTls { get; } = [];

    protected override async Task SessionAsync(TcpClient client, CancellationToken ct)
    {
        Stream stream = client.GetStream();
        bool tls = false;
        try
        {
            if (_flaws.ImplicitTls)
            {
                stream = await HandshakeAsync(stream, ct);
                tls = true;
            }

            var reader = new LineBuffer();
            await WriteAsync(stream, "220 fake.test ESMTP broken on purpose\r\n", ct);
            while (await reader.ReadLineAsync(stream, ct) is { } line)
            {
                if (tls)
                {
                    lock (CommandsInsideTls)
                    {
                        CommandsInsideTls.Add(line);
                    }
                }

                string verb = line.Split(' ')[0].ToUpperInvariant();
                switch (verb)
                {
                    case "EHLO":
                        var caps = new List<string> { "250-fake.test", "250-PIPELINING" };
                        if (!tls)
                        {
                            caps.Add("250-STARTTLS");
                        }

                        if (tls || _flaws.AuthBeforeTls)
                        {
                            caps.Add("250-AUTH PLAIN LOGIN");
                        }

                        caps.Add("250 8BITMIME");
                        await WriteAsync(stream, string.Join("\r\n", caps) + "\r\n", ct);
                        break;
                    case "STARTTLS" when !tls && _flaws.RefusePipelinedStartTls && reader.HasPending:
                        await WriteAsync(stream, "554 5.5.0 nothing may follow STARTTLS\r\n", ct);
                        return;
                    case "STARTTLS" when !tls:
                        await WriteAsync(stream, "220 2.0.0 go ahead\r\n", ct);
                        stream = await HandshakeAsync(stream, ct);
                        tls = true;
                        if (!_flaws.KeepPipelinedCommands)
                        {
                            reader.Clear(); // RFC 3207 section 4: what came before TLS is discarded
                        }

                        break;
                    case "NOOP" or "RSET":
                        await WriteAsync(stream, "250 2.0.0 OK\r\n", ct);
                        break;
                    case "AUTH" when tls || _flaws.AuthBeforeTls:
                        await WriteAsync(stream, "535 5.7.8 no\r\n", ct);
                        break;
                    case "QUIT":
                        await WriteAsync(stream, "221 2.0.0 bye\r\n", ct);
                        return;
                    default:
                        await WriteAsync(stream, "502 5.5.1 not here\r\n", ct);
                        break;
                }
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or System.Security.Authentication.AuthenticationException or SocketException)
        {
            // The checker hung up or probed with TLS where we speak plaintext: the end of this session.
        }
    }

    private async Task<Stream> HandshakeAsync(Stream inner, CancellationToken ct)
    {
        var ssl = new SslStream(inner);
        await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _certificate }, ct);
        return ssl;
    }

    private static async Task WriteAsync(Stream s, string text, CancellationToken ct)
    {
        await s.WriteAsync(Encoding.ASCII.GetBytes(text), ct);
        await s.FlushAsync(ct);
    }

    /// <summary>Reads CRLF lines, keeping any read-ahead — which is exactly how the injection flaw arises.</summary>
    private sealed class LineBuffer
    {
        private readonly byte[] _buffer = new byte[8192];
        private int _length;

        public bool HasPending => _length > 0;

        public void Clear() => _length = 0;

        public async Task<string?> ReadLineAsync(Stream stream, CancellationToken ct)
        {
            while (true)
            {
                int nl = Array.IndexOf(_buffer, (byte)'\n', 0, _length);
                if (nl >= 0)
                {
                    string line = Encoding.Latin1.GetString(_buffer, 0, nl).TrimEnd('\r');
                    Buffer.BlockCopy(_buffer, nl + 1, _buffer, 0, _length - nl - 1);
                    _length -= nl + 1;
                    return line;
                }

                if (_length == _buffer.Length)
                {
                    return null;
                }

                int n = await stream.ReadAsync(_buffer.AsMemory(_length), ct);
                if (n == 0)
                {
                    return null;
                }

                _length += n;
            }
        }
    }
}
