using System.Buffers;
using System.IO.Compression;
using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Text;
using Postern.Net.Diagnostics;

namespace Postern.Net;

/// <summary>
/// One client connection as the protocol code sees it: a bounded line/byte reader, a buffered
/// writer, timeouts on every wait, and a single "upgrade to TLS now" call. It knows nothing of
/// SMTP, IMAP or POP3.
/// </summary>
/// <remarks>
/// Invariant (the STARTTLS injection defence, CVE-2011-0411 and the NO STARTTLS study):
/// <see cref="StartTlsAsync"/> throws away every byte that was received but not yet consumed,
/// so nothing a client pipelined after STARTTLS can be executed inside the TLS session.
/// </remarks>
public sealed partial class MailConnection : IAsyncDisposable
{
    /// <summary>How far past an over-long line we keep reading to find its end before giving up.</summary>
    private const int MaxDiscardBytes = 1 << 20;

    private readonly Stream _transport;
    private readonly TlsPolicy? _tls;
    private SslStream? _ssl;
    private Stream _reader;
    private Stream _writer;
    private DeflateStream? _deflater;
    private byte[] _in;
    private int _start;
    private int _end;
    private readonly ArrayBufferWriter<byte> _out = new(4096);

    public MailConnection(Stream transport, EndpointInfo endpoint, EndPoint? remote, TlsPolicy? tls)
    {
        _transport = transport;
        _reader = transport;
        _writer = transport;
        _tls = tls;
        Endpoint = endpoint;
        Remote = remote;
        _in = ArrayPool<byte>.Shared.Rent(4096);
    }

    public EndpointInfo Endpoint { get; }

    /// <summary>Where connection-level events (the STARTTLS upgrade) are logged; set by the listener.</summary>
    public Microsoft.Extensions.Logging.ILogger? Log { get; set; }

    public EndPoint? Remote { get; }

    /// <summary>The client's IP address, or null for non-IP transports (tests).</summary>
    public IPAddress? RemoteAddress => (Remote as IPEndPoint)?.Address;

    /// <summary>How long a read may wait for the peer. Protocols shorten it before login.</summary>
    public TimeSpan ReadTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long the TLS handshake may take; null means the policy's default.</summary>
    public TimeSpan? HandshakeTimeout { get; set; }

    /// <summary>How long a flush may wait for a peer that does not read.</summary>
    public TimeSpan WriteTimeout { get; set; } = TimeSpan.FromMinutes(2);

    public bool IsTls => _ssl is not null;

    public SslProtocols? TlsProtocol => _ssl?.SslProtocol;

    public TlsCipherSuite? CipherSuite => _ssl?.NegotiatedCipherSuite;

    /// <summary>The certificate this server presented, once TLS is on (for SCRAM's tls-server-end-point binding).</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate? LocalCertificate => _ssl?.LocalCertificate;

    /// <summary>
    /// The RFC 9266 tls-exporter channel binding of this TLS session, or null without TLS or where
    /// the exporter is unavailable (see <see cref="TlsExporter"/>).
    /// </summary>
    public byte[]? TlsExporterBinding => _ssl is null ? null : _exporterBinding ??= TlsExporter.TryExport(_ssl);

    private byte[]? _exporterBinding;

    /// <summary>Whether this connection can still be upgraded with <see cref="StartTlsAsync"/>.</summary>
    public bool CanStartTls => !IsTls && _tls is not null;

    /// <summary>Bytes thrown away at the last STARTTLS upgrade (pipelined after the command).</summary>
    public int DiscardedAtUpgrade { get; private set; }

    /// <summary>Describes TLS for logs: "TLSv1.3 TLS_AES_256_GCM_SHA384" or "plaintext".</summary>
    public string TlsDescription => _ssl is { } s ? $"{s.SslProtocol} {s.NegotiatedCipherSuite}" : "plaintext";

    /// <summary>True when no unread input is buffered (useful to decide when to flush pipelined replies).</summary>
    public bool HasBufferedInput => _end > _start;

    /// <summary>
    /// True when the client has sent bytes we have not read yet: buffered here, or already waiting
    /// in the socket. Used to spot clients that talk before the server may expect it (SMTP
    /// pregreeting); plaintext TCP only, since TLS may hold decrypted bytes we cannot see.
    /// </summary>
    public bool HasUnreadInput => HasBufferedInput || (_reader is System.Net.Sockets.NetworkStream { DataAvailable: true });

    /// <summary>Runs the TLS handshake on a fresh connection (implicit TLS endpoints).</summary>
    public Task AuthenticateImplicitTlsAsync(CancellationToken ct) => UpgradeAsync(ct);

    /// <summary>
    /// Upgrades a plaintext connection to TLS after the protocol has answered STARTTLS/STLS
    /// positively. Every byte buffered but unread is discarded first.
    /// </summary>
    public async Task StartTlsAsync(CancellationToken ct)
    {
        if (!CanStartTls)
        {
            throw new InvalidOperationException("This connection is already TLS or has no certificate.");
        }

        await FlushAsync(ct).ConfigureAwait(false);
        _startTlsRequested = true;
        DiscardedAtUpgrade = _end - _start;
        _start = _end = 0;
        await UpgradeAsync(ct).ConfigureAwait(false);
        if (Log is not null)
        {
            LogUpgraded(Log, Endpoint.Name, Remote?.ToString() ?? "-", TlsDescription, DiscardedAtUpgrade);
        }
    }

    [Microsoft.Extensions.Logging.LoggerMessage(EventId = 105, Level = Microsoft.Extensions.Logging.LogLevel.Information,
        Message = "STARTTLS on {Endpoint} from {Remote}: {Tls}; {Discarded} pipelined bytes discarded")]
    private static partial void LogUpgraded(Microsoft.Extensions.Logging.ILogger log, string endpoint, string remote, string tls, int discarded);

    /// <summary>Whether <see cref="StartCompressionAsync"/> has run.</summary>
    public bool IsCompressed => _deflater is not null;

    /// <summary>
    /// Turns on DEFLATE compression in both directions (IMAP COMPRESS, RFC 4978), after the protocol
    /// has sent its positive reply, which is flushed uncompressed first. Bytes already buffered
    /// after the command are the start of the compressed stream and are fed to the inflater.
    /// </summary>
    public async Task StartCompressionAsync(CancellationToken ct)
    {
        if (_deflater is not null)
        {
            throw new InvalidOperationException("Compression is already active.");
        }

        await FlushAsync(ct).ConfigureAwait(false);
        var pending = _in.AsSpan(_start, _end - _start).ToArray();
        _start = _end = 0;
        _reader = new DeflateStream(new PrefixedStream(pending, _reader), CompressionMode.Decompress);
        _deflater = new DeflateStream(_writer, CompressionLevel.Fastest, leaveOpen: true);
        _writer = _deflater;
    }

    private async Task UpgradeAsync(CancellationToken ct)
    {
        if (_tls is null)
        {
            throw new InvalidOperationException("No TLS certificate is configured.");
        }

        // The recorder keeps the client's first bytes so a failed handshake can be explained.
        var recorder = new HandshakeRecorder(_transport);
        var ssl = new SslStream(recorder, leaveInnerStreamOpen: true);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(HandshakeTimeout ?? _tls.HandshakeTimeout);
        try
        {
            await ssl.AuthenticateAsServerAsync(_tls.SelectOptionsAsync, null, cts.Token).ConfigureAwait(false); // by SNI, current certificate
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            ReportHandshakeFailure(recorder, null, timedOut: true);
            throw new IdleTimeoutException("TLS handshake timed out.");
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            ReportHandshakeFailure(recorder, e, timedOut: false);
            throw;
        }
        catch
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        recorder.Recording = false;
        _ssl = ssl;
        _reader = ssl;
        _writer = ssl;
    }

    private void ReportHandshakeFailure(HandshakeRecorder recorder, Exception? error, bool timedOut)
    {
        bool implicitTls = Endpoint.Mode == TlsMode.Implicit && !_startTlsRequested;
        if (ClientMistakes.Diagnose(recorder.Seen, error, timedOut, implicitTls) is { } found)
        {
            ClientMistakes.Report(Log, found.Kind, Endpoint, Remote?.ToString() ?? "-", found.Detail);
        }
    }

    /// <summary>Set once the protocol asked for STARTTLS; a handshake after that is not the implicit one.</summary>
    private bool _startTlsRequested;

    /// <summary>Whether the first read of this plaintext connection has been checked for a ClientHello.</summary>
    private bool _firstReadChecked;

    /// <summary>Counts and logs a wrong client setting the protocol noticed (e.g. LOGIN before STARTTLS).</summary>
    public void ReportMistake(ClientMistake kind, string? detail = null) =>
        ClientMistakes.Report(Log, kind, Endpoint, Remote?.ToString() ?? "-", detail);

    /// <summary>
    /// Reads one line ended by LF. <paramref name="maxLength"/> counts the line ending too
    /// (RFC 5321 4.5.3.1.4: 1000 octets including CRLF for SMTP commands).
    /// </summary>
    /// <remarks>
    /// <see cref="ReadTimeout"/> bounds the whole line, not each read: a client trickling one byte
    /// at a time (slowloris) cannot hold a session by resetting a per-read clock. This is Postfix's
    /// smtpd_per_record_deadline (a deadline per command or content line rather than per read).
    /// </remarks>
    public async ValueTask<LineResult> ReadLineAsync(int maxLength, CancellationToken ct)
    {
        long deadline = Environment.TickCount64 + (long)ReadTimeout.TotalMilliseconds;
        int scanFrom = _start;
        long discarded = 0;
        bool discarding = false;
        byte lastDiscarded = 0;
        while (true)
        {
            int idx = Array.IndexOf(_in, (byte)'\n', scanFrom, _end - scanFrom);
            if (idx >= 0)
            {
                int lineStart = _start;
                _start = idx + 1;
                byte beforeLf = idx > lineStart ? _in[idx - 1] : discarding ? lastDiscarded : (byte)0;
                bool bare = beforeLf != (byte)'\r';
                if (discarding || idx + 1 - lineStart > maxLength)
                {
                    // Keep the start of the line so the protocol can still answer it (e.g. an IMAP tag).
                    if (!discarding)
                    {
                        KeepPrefix(lineStart, idx - lineStart);
                    }

                    return new LineResult(LineStatus.TooLong, _tooLongPrefix.AsMemory(0, _tooLongPrefixLength), bare);
                }

                int contentEnd = bare ? idx : idx - 1;
                return new LineResult(LineStatus.Line, _in.AsMemory(lineStart, contentEnd - lineStart), bare);
            }

            if (_end - _start >= maxLength)
            {
                // Over the limit with no end in sight: drop what we have and keep looking for LF.
                if (!discarding)
                {
                    KeepPrefix(_start, _end - _start);
                }

                discarding = true;
                discarded += _end - _start;
                lastDiscarded = _in[_end - 1];
                _start = _end = 0;
                if (discarded > MaxDiscardBytes)
                {
                    return new LineResult(LineStatus.Closed, ReadOnlyMemory<byte>.Empty, false);
                }
            }

            MakeRoom(Math.Min(maxLength, MaxDiscardBytes) + 1);
            scanFrom = _end;
            if (await FillAsync(ct, deadline).ConfigureAwait(false) == 0)
            {
                return new LineResult(LineStatus.Closed, ReadOnlyMemory<byte>.Empty, false);
            }
        }
    }

    /// <summary>How much of an over-long line <see cref="ReadLineAsync"/> returns.</summary>
    public const int TooLongPrefixLength = 64;

    private readonly byte[] _tooLongPrefix = new byte[TooLongPrefixLength];
    private int _tooLongPrefixLength;

    private void KeepPrefix(int start, int length)
    {
        _tooLongPrefixLength = Math.Min(length, TooLongPrefixLength);
        Buffer.BlockCopy(_in, start, _tooLongPrefix, 0, _tooLongPrefixLength);
    }

    /// <summary>
    /// A deadline for receiving <paramref name="bytes"/> octets: the idle timeout plus the time they
    /// take at <paramref name="minBytesPerSecond"/> (Postfix's smtpd_min_data_rate idea), for
    /// <see cref="ReadAsync"/>/<see cref="ReadExactlyAsync"/>, so a literal trickled a byte at a
    /// time just inside the idle timeout cannot hold a session.
    /// </summary>
    public long DeadlineFor(long bytes, int minBytesPerSecond) =>
        Environment.TickCount64 + (long)ReadTimeout.TotalMilliseconds + (bytes * 1000 / Math.Max(1, minBytesPerSecond));

    /// <summary>
    /// Reads up to <paramref name="destination"/>.Length bytes (buffered bytes first); 0 at end of stream.
    /// With a <paramref name="deadline"/> (see <see cref="DeadlineFor"/>), waiting past it throws
    /// <see cref="IdleTimeoutException"/> as the idle timeout does.
    /// </summary>
    public async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken ct, long deadline = 0)
    {
        if (_end == _start)
        {
            _start = _end = 0;
            if (await FillAsync(ct, deadline).ConfigureAwait(false) == 0)
            {
                return 0;
            }
        }

        int n = Math.Min(destination.Length, _end - _start);
        _in.AsMemory(_start, n).CopyTo(destination);
        _start += n;
        return n;
    }

    /// <summary>Reads exactly <paramref name="destination"/>.Length bytes or throws <see cref="EndOfStreamException"/>.</summary>
    public async ValueTask ReadExactlyAsync(Memory<byte> destination, CancellationToken ct, long deadline = 0)
    {
        while (destination.Length > 0)
        {
            int n = await ReadAsync(destination, ct, deadline).ConfigureAwait(false);
            if (n == 0)
            {
                throw new EndOfStreamException("The client closed the connection in the middle of a literal.");
            }

            destination = destination[n..];
        }
    }

    /// <summary>Ensures the buffer has space after <c>_end</c>, compacting or growing up to <paramref name="cap"/>.</summary>
    private void MakeRoom(int cap)
    {
        if (_end < _in.Length)
        {
            return;
        }

        if (_start > 0)
        {
            Buffer.BlockCopy(_in, _start, _in, 0, _end - _start);
            _end -= _start;
            _start = 0;
            return;
        }

        int size = Math.Max(_in.Length * 2, 4096);
        size = Math.Max(Math.Min(size, cap), _in.Length + 1);
        var bigger = ArrayPool<byte>.Shared.Rent(size);
        Buffer.BlockCopy(_in, 0, bigger, 0, _end);
        ArrayPool<byte>.Shared.Return(_in);
        _in = bigger;
    }

    private async ValueTask<int> FillAsync(CancellationToken ct, long deadline = 0)
    {
        await FlushAsync(ct).ConfigureAwait(false);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var timeout = ReadTimeout;
        if (deadline != 0)
        {
            // Past the line's deadline: give the read no time at all, so it times out at once.
            long left = Math.Max(1, deadline - Environment.TickCount64);
            timeout = TimeSpan.FromMilliseconds(Math.Min(left, (long)ReadTimeout.TotalMilliseconds));
        }

        cts.CancelAfter(timeout);
        try
        {
            int n = await _reader.ReadAsync(_in.AsMemory(_end), cts.Token).ConfigureAwait(false);
            _end += n;
            if (!_firstReadChecked && n > 0)
            {
                _firstReadChecked = true;
                if (!IsTls && ClientHello.LooksLikeTls(_in.AsSpan(_start, _end - _start)))
                {
                    // A client set to "SSL/TLS" on a STARTTLS port: its ClientHello is not a command.
                    // Answering it with protocol errors helps nobody; explain in the log and hang up.
                    ReportMistake(ClientMistake.TlsOnStartTlsPort);
                    _start = _end = 0;
                    return 0;
                }
            }

            return n;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new IdleTimeoutException("The client sent nothing within the idle timeout.");
        }
        catch (InvalidDataException e) when (_deflater is not null)
        {
            // After COMPRESS (RFC 4978) a client that sends bytes that are no DEFLATE stream has
            // broken the connection, like a TLS record that fails to decrypt: end it as an I/O
            // error, not as a server fault with a stack trace (found by fuzzing:
            // tests/Postern.Fuzz/Regressions/imap-session/compress-then-plaintext.txt).
            throw new IOException("The client's compressed stream is corrupt.", e);
        }
    }

    /// <summary>Appends bytes to the output buffer (sent at the next flush or read).</summary>
    public void Write(ReadOnlySpan<byte> bytes) => _out.Write(bytes);

    /// <summary>Appends UTF-8 text to the output buffer.</summary>
    public void Write(string text)
    {
        int max = Encoding.UTF8.GetMaxByteCount(text.Length);
        var span = _out.GetSpan(max);
        int n = Encoding.UTF8.GetBytes(text, span);
        _out.Advance(n);
    }

    /// <summary>Appends UTF-8 text and CRLF to the output buffer.</summary>
    public void WriteLine(string text)
    {
        Write(text);
        Write("\r\n"u8);
    }

    /// <summary>Appends bytes and flushes if the output buffer grew large (for streaming message bodies).</summary>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken ct)
    {
        _out.Write(bytes.Span);
        if (_out.WrittenCount >= 64 * 1024)
        {
            await FlushAsync(ct).ConfigureAwait(false);
        }
    }

    /// <summary>Sends everything buffered, bounded by <see cref="WriteTimeout"/>.</summary>
    public async ValueTask FlushAsync(CancellationToken ct)
    {
        if (_out.WrittenCount == 0)
        {
            return;
        }

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(WriteTimeout);
        try
        {
            await _writer.WriteAsync(_out.WrittenMemory, cts.Token).ConfigureAwait(false);
            // On a compressed connection this is a deflate sync flush, so the client sees whole replies.
            await _writer.FlushAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new IdleTimeoutException("The client did not read our output within the write timeout.");
        }
        finally
        {
            _out.ResetWrittenCount();
        }
    }

    /// <summary>
    /// Ends TLS with close_notify (RFC 8446 6.1) so clients can tell a finished session from a
    /// truncated one; best effort, bounded, because the peer may already be gone.
    /// </summary>
    private static async Task SendCloseNotifyAsync(SslStream ssl)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await ssl.ShutdownAsync().WaitAsync(cts.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException or NotSupportedException)
        {
            // The peer closed first or stopped reading: nothing more to tell it.
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_deflater is not null)
            {
                await _deflater.DisposeAsync().ConfigureAwait(false);
            }

            if (_ssl is { } ssl)
            {
                await SendCloseNotifyAsync(ssl).ConfigureAwait(false);
                await ssl.DisposeAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            await _transport.DisposeAsync().ConfigureAwait(false);
            var buffer = Interlocked.Exchange(ref _in, Array.Empty<byte>());
            if (buffer.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }
}
