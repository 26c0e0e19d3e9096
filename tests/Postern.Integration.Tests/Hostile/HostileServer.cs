using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace Postern.Integration.Tests.Hostile;

/// <summary>A raw line client bound to a chosen loopback source address, with optional TLS (certificate not checked: loopback tests).</summary>
public sealed class HostileClient : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private Stream _stream;
    private readonly List<byte> _pending = [];
    private readonly byte[] _buf = new byte[16384];

    private HostileClient(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    public TcpClient Tcp => _tcp;

    public static async Task<HostileClient> ConnectAsync(int port, string from = "127.0.0.1", bool tls = false, int? receiveBuffer = null)
    {
        var tcp = new TcpClient(new IPEndPoint(IPAddress.Parse(from), 0));
        if (receiveBuffer is int rb)
        {
            tcp.ReceiveBufferSize = rb;
        }

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await tcp.ConnectAsync(IPAddress.Loopback, port, cts.Token);
        var c = new HostileClient(tcp);
        if (tls)
        {
            await c.StartTlsAsync();
        }

        return c;
    }

    public async Task StartTlsAsync()
    {
        _pending.Clear();
        var ssl = new SslStream(_stream, false, (_, _, _, _) => true);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" }, cts.Token);
        _stream = ssl;
    }

    public Task SendLineAsync(string line) => SendAsync(line + "\r\n");

    public async Task SendAsync(string text) => await SendBytesAsync(Encoding.UTF8.GetBytes(text));

    public async Task SendBytesAsync(byte[] bytes)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await _stream.WriteAsync(bytes, cts.Token);
        await _stream.FlushAsync(cts.Token);
    }

    /// <summary>One line without CRLF; null when the server closed (or reset) the connection or nothing came in time.</summary>
    public async Task<string?> ReadLineAsync(TimeSpan? wait = null)
    {
        using var cts = new CancellationTokenSource(wait ?? TimeSpan.FromSeconds(20));
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
            catch (Exception e) when (e is IOException or OperationCanceledException)
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

    /// <summary>Reads lines until one starts with <paramref name="prefix"/>; returns that line (null if closed first).</summary>
    public async Task<string?> ReadUntilAsync(string prefix, TimeSpan? wait = null)
    {
        while (true)
        {
            var line = await ReadLineAsync(wait);
            if (line is null || line.StartsWith(prefix, StringComparison.Ordinal))
            {
                return line;
            }
        }
    }

    /// <summary>Reads and discards until the server closes; returns how long that took, or null if it stayed open past <paramref name="limit"/>.</summary>
    public async Task<TimeSpan?> TimeUntilClosedAsync(TimeSpan limit)
    {
        var sw = Stopwatch.StartNew();
        using var cts = new CancellationTokenSource(limit);
        try
        {
            while (await _stream.ReadAsync(_buf, cts.Token) > 0)
            {
            }
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        catch (IOException)
        {
            // Reset: closed too.
        }

        return sw.Elapsed;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _stream.DisposeAsync();
        }
        catch (IOException)
        {
            // Already reset by the server.
        }

        _tcp.Dispose();
    }
}
