using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using Postern.Integration.Tests.Support;

namespace Postern.Integration.Tests.Hostile;

/// <summary>
/// A rawer client than <see cref="RawClient"/> for the hostile tests: Nagle off so one-byte writes
/// leave as separate segments, TLS that can be ended with close_notify while the TCP connection
/// stays open (to send plaintext after it), and reads that tell whether the server hung up.
/// </summary>
public sealed class Wire : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private readonly TcpClient _tcp;
    private readonly NetworkStream _net;
    private readonly ServerFixture _server;
    private SslStream? _ssl;
    private readonly List<byte> _pending = [];
    private readonly byte[] _buf = new byte[16384];

    private Wire(TcpClient tcp, ServerFixture server)
    {
        _tcp = tcp;
        _net = tcp.GetStream();
        _server = server;
    }

    private Stream Stream => (Stream?)_ssl ?? _net;

    public static async Task<Wire> ConnectAsync(ServerFixture server, int standardPort, bool implicitTls = false)
    {
        var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync(server.Host, server.Port(standardPort));
        var w = new Wire(tcp, server);
        if (implicitTls)
        {
            await w.StartTlsAsync();
        }

        return w;
    }

    public bool IsTls => _ssl is not null;

    public Task SendAsync(string text) => SendBytesAsync(Encoding.UTF8.GetBytes(text));

    public Task SendLineAsync(string line) => SendAsync(line + "\r\n");

    public async Task SendBytesAsync(byte[] bytes)
    {
        using var cts = new CancellationTokenSource(Timeout);
        await Stream.WriteAsync(bytes, cts.Token);
        await Stream.FlushAsync(cts.Token);
    }

    /// <summary>Writes <paramref name="text"/> one byte per write (one TCP segment each on loopback with Nagle off).</summary>
    public async Task SendOneByteAtATimeAsync(string text)
    {
        foreach (byte b in Encoding.UTF8.GetBytes(text))
        {
            await SendBytesAsync([b]);
        }
    }

    /// <summary>Sends plaintext on the TCP connection underneath, whatever TLS state we are in.</summary>
    public async Task SendPlainBelowTlsAsync(string text)
    {
        using var cts = new CancellationTokenSource(Timeout);
        await _net.WriteAsync(Encoding.ASCII.GetBytes(text), cts.Token);
    }

    /// <summary>TLS handshake (verifying the server certificate); unread plaintext is dropped.</summary>
    public async Task StartTlsAsync()
    {
        _pending.Clear();
        var ssl = new SslStream(_net, leaveInnerStreamOpen: true, (s, c, ch, e) => _server.ValidateCertificate(s, c, ch, e));
        using var cts = new CancellationTokenSource(Timeout);
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" }, cts.Token);
        _ssl = ssl;
    }

    /// <summary>Sends a TLS close_notify and goes back to the bare TCP stream (the socket stays open).</summary>
    public async Task CloseNotifyAsync()
    {
        var ssl = _ssl ?? throw new InvalidOperationException("TLS is not active.");
        using var cts = new CancellationTokenSource(Timeout);
        await ssl.ShutdownAsync().WaitAsync(cts.Token);
        _ssl = null;
        _pending.Clear();
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
                n = await Stream.ReadAsync(_buf, cts.Token);
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

    /// <summary>Lines until one starts with <paramref name="prefix"/> (that one last).</summary>
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

    /// <summary>One SMTP reply's last line (continuations skipped); null if the server hung up.</summary>
    public async Task<string?> ReadSmtpReplyAsync()
    {
        while (true)
        {
            var line = await ReadLineAsync();
            if (line is null || line.Length < 4 || line[3] != '-')
            {
                return line;
            }
        }
    }

    /// <summary>All SMTP reply lines (with continuations) of one reply.</summary>
    public async Task<List<string>> ReadSmtpReplyLinesAsync()
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

    /// <summary>
    /// Reads until the server closes the connection or <paramref name="wait"/> passes. Returns what
    /// arrived (bytes from the current stream, TLS-decrypted if TLS is on) and whether it closed.
    /// </summary>
    public async Task<(byte[] Bytes, bool Closed)> ReadUntilClosedAsync(TimeSpan wait)
    {
        using var cts = new CancellationTokenSource(wait);
        var got = new List<byte>(_pending);
        _pending.Clear();
        try
        {
            while (true)
            {
                int n = await Stream.ReadAsync(_buf, cts.Token);
                if (n == 0)
                {
                    return ([.. got], true);
                }

                got.AddRange(_buf.AsSpan(0, n).ToArray());
            }
        }
        catch (OperationCanceledException)
        {
            return ([.. got], false);
        }
        catch (IOException)
        {
            // Reset by the server: closed.
            return ([.. got], true);
        }
    }

    /// <summary>
    /// True when <paramref name="bytes"/> is a sequence of whole TLS records (alert or encrypted
    /// application data), i.e. nothing the server sent was plaintext protocol.
    /// </summary>
    public static bool IsOnlyTlsRecords(byte[] bytes)
    {
        int i = 0;
        while (i < bytes.Length)
        {
            if (bytes.Length - i < 5 || bytes[i] is not (0x15 or 0x17) || bytes[i + 1] != 0x03)
            {
                return false;
            }

            int length = (bytes[i + 3] << 8) | bytes[i + 4];
            i += 5 + length;
        }

        return i == bytes.Length;
    }

    public async ValueTask DisposeAsync()
    {
        if (_ssl is not null)
        {
            await _ssl.DisposeAsync();
        }

        await _net.DisposeAsync();
        _tcp.Dispose();
    }
}
