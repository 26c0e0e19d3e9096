using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;

namespace Postern.Integration.Tests.Support;

/// <summary>
/// The rude client: exact bytes over TCP, line reads with a bounded wait, TLS upgrade on demand.
/// </summary>
public sealed class RawClient : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private readonly TcpClient _tcp;
    private Stream _stream;
    private readonly List<byte> _pending = [];
    private readonly byte[] _buf = new byte[16384];
    private readonly ServerFixture _server;

    private RawClient(TcpClient tcp, ServerFixture server)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
        _server = server;
    }

    public static async Task<RawClient> ConnectAsync(ServerFixture server, int standardPort, bool implicitTls = false)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(server.Host, server.Port(standardPort));
        var c = new RawClient(tcp, server);
        if (implicitTls)
        {
            await c.StartTlsAsync();
        }

        return c;
    }

    public bool IsTls => _stream is SslStream;

    /// <summary>The RFC 9266 tls-exporter channel binding of this client's TLS session (null if unavailable).</summary>
    public byte[]? TlsExporterBinding => _stream is SslStream ssl ? Postern.Net.TlsExporter.TryExport(ssl) : null;

    public string? TlsProtocol => (_stream as SslStream)?.SslProtocol.ToString();

    public Task SendAsync(string text) => SendBytesAsync(Encoding.UTF8.GetBytes(text));

    public Task SendLineAsync(string line) => SendAsync(line + "\r\n");

    public async Task SendBytesAsync(byte[] bytes)
    {
        using var cts = new CancellationTokenSource(Timeout);
        await _stream.WriteAsync(bytes, cts.Token);
        await _stream.FlushAsync(cts.Token);
    }

    /// <summary>One line without CRLF; null when the server closed the connection.</summary>
    public async Task<string?> ReadLineAsync()
    {
        using var cts = new CancellationTokenSource(Timeout);
        while (true)
        {
            int lf = _pending.IndexOf((byte)'\n');
            if (lf >= 0)
            {
                var line = _pending.GetRange(0, lf).ToArray();
                _pending.RemoveRange(0, lf + 1);
                return Encoding.UTF8.GetString(line).TrimEnd('\r');
            }

            int n;
            try
            {
                n = await _stream.ReadAsync(_buf, cts.Token);
            }
            catch (IOException)
            {
                return null;
            }

            if (n == 0)
            {
                return null;
            }

            _pending.AddRange(_buf.AsSpan(0, n).ToArray());
        }
    }

    /// <summary>Reads lines until one starts with <paramref name="prefix"/>; all lines, that one last.</summary>
    public async Task<List<string>> ReadUntilAsync(string prefix)
    {
        var lines = new List<string>();
        while (true)
        {
            var line = await ReadLineAsync() ?? throw new EndOfStreamException($"Closed before '{prefix}'. Got: {string.Join(" | ", lines)}");
            lines.Add(line);
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                return lines;
            }
        }
    }

    /// <summary>Reads an SMTP reply (all continuation lines) and returns its lines.</summary>
    public async Task<List<string>> ReadSmtpReplyAsync()
    {
        var lines = new List<string>();
        while (true)
        {
            var line = await ReadLineAsync() ?? throw new EndOfStreamException($"Closed during an SMTP reply. Got: {string.Join(" | ", lines)}");
            lines.Add(line);
            if (line.Length < 4 || line[3] != '-')
            {
                return lines;
            }
        }
    }

    /// <summary>Reads whatever arrives within <paramref name="wait"/>; empty if nothing (used to show the server stayed silent).</summary>
    public async Task<byte[]> ReadAvailableAsync(TimeSpan wait)
    {
        using var cts = new CancellationTokenSource(wait);
        var got = new List<byte>(_pending);
        _pending.Clear();
        try
        {
            while (true)
            {
                int n = await _stream.ReadAsync(_buf, cts.Token);
                if (n == 0)
                {
                    break;
                }

                got.AddRange(_buf.AsSpan(0, n).ToArray());
            }
        }
        catch (OperationCanceledException)
        {
            // The wait is over: whatever came is the answer.
        }
        catch (IOException)
        {
            // Reset by the server: that is the end of what it sent.
        }

        return [.. got];
    }

    /// <summary>TLS handshake over the connection, verifying the server's certificate. Unread plaintext is dropped.</summary>
    public async Task StartTlsAsync(SslProtocols protocols = SslProtocols.None)
    {
        _pending.Clear();
        var ssl = new SslStream(_stream, leaveInnerStreamOpen: false, (s, c, ch, e) => _server.ValidateCertificate(s, c, ch, e));
        using var cts = new CancellationTokenSource(Timeout);
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost", EnabledSslProtocols = protocols }, cts.Token);
        _stream = ssl;
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _tcp.Dispose();
    }
}
