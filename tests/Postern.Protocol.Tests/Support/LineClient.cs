using System.Net.Security;
using System.Text;

namespace Postern.Protocol.Tests.Support;

/// <summary>A rude, byte-exact test client: send raw text, read CRLF lines, upgrade to TLS on demand.</summary>
public sealed class LineClient : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);
    private Stream _stream;
    private readonly List<byte> _pending = [];
    private readonly byte[] _buf = new byte[8192];

    public LineClient(Stream stream) => _stream = stream;

    public Task SendAsync(string text) => SendBytesAsync(Encoding.UTF8.GetBytes(text));

    public Task SendLineAsync(string line) => SendAsync(line + "\r\n");

    public async Task SendBytesAsync(byte[] bytes)
    {
        using var cts = new CancellationTokenSource(Timeout);
        await _stream.WriteAsync(bytes, cts.Token);
        await _stream.FlushAsync(cts.Token);
    }

    /// <summary>Reads one line without its CRLF; null when the server closed the connection.</summary>
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

            int n = await _stream.ReadAsync(_buf, cts.Token);
            if (n == 0)
            {
                return null;
            }

            _pending.AddRange(_buf.AsSpan(0, n).ToArray());
        }
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes (for literals and message bodies).</summary>
    public async Task<byte[]> ReadBytesAsync(int count)
    {
        using var cts = new CancellationTokenSource(Timeout);
        while (_pending.Count < count)
        {
            int n = await _stream.ReadAsync(_buf, cts.Token);
            if (n == 0)
            {
                throw new EndOfStreamException();
            }

            _pending.AddRange(_buf.AsSpan(0, n).ToArray());
        }

        var result = _pending.GetRange(0, count).ToArray();
        _pending.RemoveRange(0, count);
        return result;
    }

    /// <summary>Reads lines until one starts with <paramref name="prefix"/>; returns all lines read, that one last.</summary>
    public async Task<List<string>> ReadUntilAsync(string prefix)
    {
        var lines = new List<string>();
        while (true)
        {
            var line = await ReadLineAsync() ?? throw new EndOfStreamException($"Closed before a line starting with '{prefix}'. Got: {string.Join(" | ", lines)}");
            lines.Add(line);
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                return lines;
            }
        }
    }

    /// <summary>True when the server has closed its side (reads end of stream) within the timeout.</summary>
    public async Task<bool> IsClosedAsync()
    {
        try
        {
            return await ReadLineAsync() is null;
        }
        catch (IOException)
        {
            return true;
        }
    }

    /// <summary>Wraps the connection in TLS, trusting the test certificate. Bytes the server sent before are dropped.</summary>
    public async Task StartTlsAsync()
    {
        _pending.Clear();
        var ssl = new SslStream(_stream, leaveInnerStreamOpen: false, (_, cert, _, _) => cert?.GetCertHashString() == TestServer.Tls.Certificate.GetCertHashString());
        using var cts = new CancellationTokenSource(Timeout);
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "mail.test" }, cts.Token);
        _stream = ssl;
    }

    public ValueTask DisposeAsync() => _stream.DisposeAsync();
}
