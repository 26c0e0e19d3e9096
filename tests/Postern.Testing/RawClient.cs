using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;

namespace Postern.Testing;

/// <summary>
/// The rude client of the integration and protocol tests: exactly the bytes it is given, lines
/// read back with a deadline, TLS when asked (implicit, or an upgrade after STARTTLS/STLS), and
/// the tricks of the hostile tests (one byte per segment, plaintext below TLS, close_notify with
/// the socket left open). It runs over TCP (<see cref="ConnectAsync(PosternServer, int, bool, string?, int?)"/>)
/// or over any stream, such as the in-memory pipe of the protocol tests.
/// </summary>
/// <remarks>
/// Every call is bounded by <see cref="Timeout"/> (or the deadline given to it). A read that
/// runs out of time throws <see cref="TimeoutException"/>; a connection the server closed or
/// reset reads as null (or <see cref="EndOfStreamException"/> where a reply was required).
/// </remarks>
public sealed class RawClient : IAsyncDisposable
{
    private readonly TcpClient? _tcp;
    private readonly Stream _plain;
    private readonly RemoteCertificateValidationCallback? _validateCertificate;
    private readonly string _targetHost;
    private readonly LineReader _reader = new();
    private SslStream? _ssl;

    /// <param name="stream">The connection (plaintext; TLS starts with <see cref="StartTlsAsync"/>).</param>
    /// <param name="validateCertificate">Decides whether the server's certificate is accepted; null: the system's validation.</param>
    /// <param name="targetHost">The name the TLS handshake asks for (SNI) and the certificate must match.</param>
    public RawClient(Stream stream, RemoteCertificateValidationCallback? validateCertificate, string targetHost = "localhost")
    {
        _plain = stream;
        _validateCertificate = validateCertificate;
        _targetHost = targetHost;
    }

    private RawClient(TcpClient tcp, RemoteCertificateValidationCallback? validateCertificate, string targetHost)
        : this(tcp.GetStream(), validateCertificate, targetHost) => _tcp = tcp;

    /// <summary>The default for <see cref="Timeout"/>: generous for a loaded CI machine, short of hanging the suite.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);

    /// <summary>How long any one call (connect, send, read, handshake) may take unless it is given its own deadline.</summary>
    public TimeSpan Timeout { get; set; } = DefaultTimeout;

    /// <summary>The socket (TCP clients only), for tests that go below this client.</summary>
    public TcpClient Tcp => _tcp ?? throw new InvalidOperationException("This client runs over a stream, not a socket.");

    /// <summary>The TLS session, once started.</summary>
    public SslStream? Tls => _ssl;

    public bool IsTls => _ssl is not null;

    /// <summary>
    /// Bytes this client has copied inside its read buffer; with a reader that copies the rest of
    /// the buffer per line this grows with lines times buffer size, here with the bytes read.
    /// </summary>
    public long BytesMoved => _reader.BytesMoved;

    private Stream Stream => (Stream?)_ssl ?? _plain;

    /// <summary>
    /// Connects to <paramref name="server"/>'s <paramref name="standardPort"/> (993 means 993 plus
    /// its offset), trusting only its certificate for localhost. <paramref name="from"/> picks the
    /// loopback source address (e.g. 127.0.0.2, for per-address limits).
    /// </summary>
    public static Task<RawClient> ConnectAsync(PosternServer server, int standardPort, bool implicitTls = false, string? from = null, int? receiveBufferSize = null) =>
        ConnectAsync(server.Host, server.Port(standardPort), server.ValidateCertificate, "localhost", implicitTls, from, receiveBufferSize);

    /// <summary>Connects over TCP; Nagle is off, so each send leaves as its own segment on loopback.</summary>
    public static async Task<RawClient> ConnectAsync(
        string host,
        int port,
        RemoteCertificateValidationCallback? validateCertificate,
        string targetHost = "localhost",
        bool implicitTls = false,
        string? from = null,
        int? receiveBufferSize = null)
    {
        var tcp = from is null ? new TcpClient() : new TcpClient(new IPEndPoint(IPAddress.Parse(from), 0));
        tcp.NoDelay = true;
        if (receiveBufferSize is int size)
        {
            tcp.ReceiveBufferSize = size;
        }

        RawClient? client = null;
        try
        {
            using (var cts = new CancellationTokenSource(DefaultTimeout))
            {
                await tcp.ConnectAsync(host, port, cts.Token);
            }

            client = new RawClient(tcp, validateCertificate, targetHost);
            if (implicitTls)
            {
                await client.StartTlsAsync();
            }

            return client;
        }
        catch
        {
            if (client is not null)
            {
                await client.DisposeAsync();
            }

            tcp.Dispose();
            throw;
        }
    }

    public Task SendAsync(string text) => SendBytesAsync(Encoding.UTF8.GetBytes(text));

    public Task SendLineAsync(string line) => SendAsync(line + "\r\n");

    /// <summary>Writes exactly <paramref name="bytes"/> and flushes.</summary>
    public async Task SendBytesAsync(byte[] bytes)
    {
        using var cts = new CancellationTokenSource(Timeout);
        await Stream.WriteAsync(bytes, cts.Token);
        await Stream.FlushAsync(cts.Token);
    }

    /// <summary>Writes <paramref name="text"/> one byte per write (one TCP segment each on loopback, Nagle being off).</summary>
    public async Task SendOneByteAtATimeAsync(string text)
    {
        foreach (byte b in Encoding.UTF8.GetBytes(text))
        {
            await SendBytesAsync([b]);
        }
    }

    /// <summary>Writes plaintext on the connection underneath, whatever the TLS state.</summary>
    public async Task SendPlainBelowTlsAsync(string text)
    {
        using var cts = new CancellationTokenSource(Timeout);
        await _plain.WriteAsync(Encoding.ASCII.GetBytes(text), cts.Token);
        await _plain.FlushAsync(cts.Token);
    }

    /// <summary>
    /// TLS handshake on the connection (after STARTTLS, or at once for implicit TLS). Unread
    /// plaintext is dropped: whatever came before the handshake must not count as protected.
    /// </summary>
    public async Task StartTlsAsync(SslProtocols protocols = SslProtocols.None)
    {
        _reader.Clear();
        var ssl = new SslStream(_plain, leaveInnerStreamOpen: true, _validateCertificate);
        using var cts = new CancellationTokenSource(Timeout);
        try
        {
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = _targetHost, EnabledSslProtocols = protocols }, cts.Token);
        }
        catch
        {
            await ssl.DisposeAsync();
            throw;
        }

        _ssl = ssl;
    }

    /// <summary>Sends a TLS close_notify and goes back to the bare connection, which stays open.</summary>
    public async Task CloseNotifyAsync()
    {
        var ssl = _ssl ?? throw new InvalidOperationException("TLS is not active.");
        using var cts = new CancellationTokenSource(Timeout);
        await ssl.ShutdownAsync().WaitAsync(cts.Token);
        _ssl = null;
        await ssl.DisposeAsync();
        _reader.Clear();
    }

    /// <summary>One line without its CRLF; null when the server closed or reset the connection.</summary>
    /// <exception cref="TimeoutException">No complete line within <paramref name="deadline"/> (default <see cref="Timeout"/>).</exception>
    public async Task<string?> ReadLineAsync(TimeSpan? deadline = null)
    {
        var wait = deadline ?? Timeout;
        using var cts = new CancellationTokenSource(wait);
        return await NextLineAsync(wait, cts.Token, null);
    }

    /// <summary>Lines up to and including the first that starts with <paramref name="prefix"/> (e.g. an IMAP tag and a space).</summary>
    /// <exception cref="EndOfStreamException">The server closed the connection first.</exception>
    /// <exception cref="TimeoutException">The whole reply did not come within <paramref name="deadline"/> (default <see cref="Timeout"/>).</exception>
    public Task<List<string>> ReadUntilAsync(string prefix, TimeSpan? deadline = null) =>
        ReadLinesAsync(line => line.StartsWith(prefix, StringComparison.Ordinal), $"a line starting with '{prefix}'", deadline ?? Timeout);

    /// <summary>The last line of one SMTP reply (continuation lines "250-..." skipped); null if the server hung up.</summary>
    public async Task<string?> ReadSmtpReplyAsync()
    {
        using var cts = new CancellationTokenSource(Timeout);
        while (true)
        {
            var line = await NextLineAsync(Timeout, cts.Token, null);
            if (line is null || !IsSmtpContinuation(line))
            {
                return line;
            }
        }
    }

    /// <summary>Every line of one SMTP reply, continuations included.</summary>
    /// <exception cref="EndOfStreamException">The server closed the connection during the reply.</exception>
    public Task<List<string>> ReadSmtpReplyLinesAsync() =>
        ReadLinesAsync(line => !IsSmtpContinuation(line), "the last line of an SMTP reply", Timeout);

    /// <summary>Sends "<paramref name="tag"/> <paramref name="command"/>" and reads up to the tagged reply.</summary>
    public async Task<(string Untagged, string Tagged)> ImapAsync(string tag, string command)
    {
        await SendLineAsync(tag + " " + command);
        return await ImapReplyAsync(tag);
    }

    /// <summary>The reply to <paramref name="tag"/>: the lines before it (each ending in "\n") and the tagged line.</summary>
    public async Task<(string Untagged, string Tagged)> ImapReplyAsync(string tag)
    {
        var lines = await ReadUntilAsync(tag + " ");
        var untagged = new StringBuilder();
        foreach (var line in lines.Take(lines.Count - 1))
        {
            untagged.Append(line).Append('\n');
        }

        return (untagged.ToString(), lines[^1]);
    }

    /// <summary>Exactly <paramref name="count"/> bytes (a literal or a message body).</summary>
    public async Task<byte[]> ReadBytesAsync(int count)
    {
        using var cts = new CancellationTokenSource(Timeout);
        try
        {
            return await _reader.ReadExactlyAsync(Stream, count, cts.Token);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException($"{count} bytes did not arrive within {Timeout.TotalSeconds:0.#} s.");
        }
    }

    /// <summary>
    /// Reads until the server closes the connection or <paramref name="wait"/> passes; returns what
    /// arrived (decrypted, under TLS) and whether it closed. Nothing arriving is an answer too:
    /// it shows the server stayed silent.
    /// </summary>
    public async Task<(byte[] Bytes, bool Closed)> ReadUntilClosedAsync(TimeSpan wait)
    {
        using var cts = new CancellationTokenSource(wait);
        using var got = new MemoryStream();
        got.Write(_reader.TakeBuffered());
        var buffer = new byte[16 * 1024];
        try
        {
            int n;
            while ((n = await Stream.ReadAsync(buffer, cts.Token)) > 0)
            {
                got.Write(buffer, 0, n);
            }

            return (got.ToArray(), true);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            return (got.ToArray(), false);
        }
        catch (IOException)
        {
            // Reset by the server: closed.
            return (got.ToArray(), true);
        }
    }

    /// <summary>Reads (and drops) until the server closes; how long that took, or null if it stayed open past <paramref name="limit"/>.</summary>
    public async Task<TimeSpan?> TimeUntilClosedAsync(TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        var (_, closed) = await ReadUntilClosedAsync(limit);
        return closed ? clock.Elapsed : null;
    }

    /// <summary>True when the server has closed its side within <see cref="Timeout"/> (false if it sent another line).</summary>
    public async Task<bool> IsClosedAsync() => await ReadLineAsync() is null;

    /// <summary>
    /// True when <paramref name="bytes"/> is a sequence of whole TLS records (alert or encrypted
    /// application data): nothing the server sent was plaintext protocol.
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

    /// <summary>Long text cut to its two ends, for failure messages.</summary>
    public static string Shorten(string s) => s.Length <= 600 ? s : s[..300] + $" ...({s.Length} chars)... " + s[^300..];

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_ssl is not null)
            {
                await _ssl.DisposeAsync();
            }

            await _plain.DisposeAsync();
        }
        catch (IOException)
        {
            // Already reset by the server.
        }
        finally
        {
            _tcp?.Dispose();
            _reader.Dispose();
        }
    }

    /// <summary>Lines up to and including the first for which <paramref name="isLast"/> holds, all within <paramref name="wait"/>.</summary>
    private async Task<List<string>> ReadLinesAsync(Func<string, bool> isLast, string expected, TimeSpan wait)
    {
        using var cts = new CancellationTokenSource(wait);
        var lines = new List<string>();
        while (true)
        {
            var line = await NextLineAsync(wait, cts.Token, lines)
                ?? throw new EndOfStreamException($"Closed before {expected}. Got: {Shorten(string.Join(" | ", lines))}");
            lines.Add(line);
            if (isLast(line))
            {
                return lines;
            }
        }
    }

    /// <summary>"250-..." continues an SMTP reply; "250 ..." (or anything shorter) ends it (RFC 5321 section 4.2.1).</summary>
    private static bool IsSmtpContinuation(string line) => line.Length >= 4 && line[3] == '-';

    /// <summary>The next line decoded as UTF-8; null at the end of the stream or on a reset.</summary>
    private async Task<string?> NextLineAsync(TimeSpan wait, CancellationToken ct, List<string>? soFar)
    {
        try
        {
            var line = await _reader.ReadLineAsync(Stream, ct);
            return line is { } bytes ? Encoding.UTF8.GetString(bytes.Span) : null;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            var got = soFar is { Count: > 0 } ? " Got: " + Shorten(string.Join(" | ", soFar)) : "";
            throw new TimeoutException($"No complete line from the server within {wait.TotalSeconds:0.#} s.{got}");
        }
        catch (IOException)
        {
            // Reset by the server (or the TLS session broke): for a reader, the connection ended.
            return null;
        }
    }
}
