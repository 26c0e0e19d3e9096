using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace Postern.Integration.Tests.Hostile;

/// <summary>
/// A raw client for large responses: exact bytes out, buffered lines in (no quadratic copying on
/// multi-megabyte lines), every wait bounded by <see cref="Timeout"/>.
/// </summary>
public sealed class WireClient : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private Stream _stream;
    private byte[] _buf = new byte[64 * 1024];
    private int _start;
    private int _end;

    private WireClient(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(60);

    public static async Task<WireClient> ConnectAsync(string host, int port, bool implicitTls)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(host, port);
        var c = new WireClient(tcp);
        if (implicitTls)
        {
            var ssl = new SslStream(c._stream, false, (_, _, _, _) => true);
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" });
            c._stream = ssl;
        }

        return c;
    }

    public async Task SendAsync(byte[] bytes)
    {
        using var cts = new CancellationTokenSource(Timeout);
        await _stream.WriteAsync(bytes, cts.Token);
        await _stream.FlushAsync(cts.Token);
    }

    public Task SendAsync(string text) => SendAsync(Encoding.UTF8.GetBytes(text));

    /// <summary>One line without its line end (Latin-1, so any byte survives); null at end of stream.</summary>
    public async Task<string?> ReadLineAsync(CancellationToken ct)
    {
        int scanned = _start;
        while (true)
        {
            int lf = Array.IndexOf(_buf, (byte)'\n', scanned, _end - scanned);
            if (lf >= 0)
            {
                string line = Encoding.Latin1.GetString(_buf, _start, lf - _start).TrimEnd('\r');
                _start = lf + 1;
                return line;
            }

            scanned = _end;
            if (_end == _buf.Length)
            {
                if (_start > 0)
                {
                    Buffer.BlockCopy(_buf, _start, _buf, 0, _end - _start);
                    scanned -= _start;
                    _end -= _start;
                    _start = 0;
                }
                else
                {
                    Array.Resize(ref _buf, _buf.Length * 2);
                }
            }

            int n;
            try
            {
                n = await _stream.ReadAsync(_buf.AsMemory(_end), ct);
            }
            catch (IOException)
            {
                return null;
            }

            if (n == 0)
            {
                return null;
            }

            _end += n;
        }
    }

    /// <summary>Reads an SMTP reply; returns its last line.</summary>
    public async Task<string> SmtpReplyAsync()
    {
        using var cts = new CancellationTokenSource(Timeout);
        while (true)
        {
            var line = await ReadLineAsync(cts.Token) ?? throw new EndOfStreamException("closed during an SMTP reply");
            if (line.Length < 4 || line[3] != '-')
            {
                return line;
            }
        }
    }

    /// <summary>Sends an IMAP command and reads up to its tagged reply; returns (all untagged text, tagged line).</summary>
    public async Task<(string Untagged, string Tagged)> ImapAsync(string tag, string command)
    {
        await SendAsync($"{tag} {command}\r\n");
        return await ImapReplyAsync(tag);
    }

    public async Task<(string Untagged, string Tagged)> ImapReplyAsync(string tag)
    {
        using var cts = new CancellationTokenSource(Timeout);
        var untagged = new StringBuilder();
        while (true)
        {
            var line = await ReadLineAsync(cts.Token) ?? throw new EndOfStreamException($"closed before the reply to {tag}; got {Shorten(untagged.ToString())}");
            if (line.StartsWith(tag + " ", StringComparison.Ordinal))
            {
                return (untagged.ToString(), line);
            }

            untagged.Append(line).Append('\n');
        }
    }

    public static string Shorten(string s) => s.Length <= 600 ? s : s[..300] + $" ...({s.Length} chars)... " + s[^300..];

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _tcp.Dispose();
    }
}
