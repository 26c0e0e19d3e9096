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

    /// <summary>The connection limits in force: the grace period, stall timeout and line rate of every transfer.</summary>
    public ConnectionLimits Limits { get; init; } = new();

    /// <summary>This connection's place in the listener's <see cref="ConnectionLimiter"/>; null when not counted (tests).</summary>
    public ConnectionSlot? Slot { get; init; }

    /// <summary>
    /// When the pre-login bound (<see cref="ConnectionLimits.PreLoginTimeout"/>) ends the session, in
    /// <see cref="Environment.TickCount64"/> milliseconds; 0 once logged in (or never bounded). Set
    /// by the listener at accept, so the TLS handshake and STARTTLS count too.
    /// </summary>
    public long LoginDeadline { get; set; }

    /// <summary>
    /// Counts this connection as a login of <paramref name="accountId"/> (per account, address and
    /// protocol) and ends the pre-login bound. False when the account already has
    /// <see cref="ConnectionLimits.MaxConnectionsPerAccountAndAddress"/> connections from this
    /// address; the protocol then refuses the login in its own words (the refusal is logged here).
    /// </summary>
    public bool TryLogIn(long accountId)
    {
        if (Slot is { } slot && !slot.TryLogIn(Endpoint.Protocol, accountId))
        {
            if (Log is not null)
            {
                var (key, max) = slot.LoginLimit;
                LogLoginRefused(Log, accountId, Endpoint.Name, Remote?.ToString() ?? "-", key, max);
            }

            return false;
        }

        LoginDeadline = 0;
        return true;
    }

    /// <summary>
    /// Ends the pre-login bound without a login: a port 25 session that reached DATA is delivering
    /// mail (it never logs in), and from then on the DATA rate, the command timeouts and the
    /// session's command counts bound it.
    /// </summary>
    public void EndPreLoginBound() => LoginDeadline = 0;

    /// <summary>Starts the clock of a literal or DATA phase that the client owes from now on (see <see cref="TransferClock"/>).</summary>
    /// <param name="limit">The configuration key of <paramref name="minBytesPerSecond"/>, named if it ends the session.</param>
    public TransferClock StartTransfer(int minBytesPerSecond, string limit) =>
        new(Environment.TickCount64, minBytesPerSecond, Limits.TransferGracePeriod, Limits.TransferStallTimeout, limit);

    private TransferClock LineClock(long startedMs) =>
        new(startedMs, Limits.MinLineRate, Limits.TransferGracePeriod, Limits.TransferStallTimeout, LineRateKey);

    private const string PreLoginKey = "Limits:PreLoginTimeout";
    private const string StallKey = "Limits:TransferStallTimeout";
    private const string LineRateKey = "Limits:MinLineRate";

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

    [Microsoft.Extensions.Logging.LoggerMessage(EventId = 108, Level = Microsoft.Extensions.Logging.LogLevel.Warning,
        Message = "Refused the login of account {AccountId} on {Endpoint} from {Remote}: {Limit} ({Max}) reached")]
    private static partial void LogLoginRefused(Microsoft.Extensions.Logging.ILogger log, long accountId, string endpoint, string remote, string limit, int max);

    [Microsoft.Extensions.Logging.LoggerMessage(EventId = 109, Level = Microsoft.Extensions.Logging.LogLevel.Information,
        Message = "Ending the session on {Endpoint} from {Remote}: {Limit} reached")]
    private static partial void LogTimeBound(Microsoft.Extensions.Logging.ILogger log, string endpoint, string remote, string limit);

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
    /// From its first octet the line also has a <see cref="TransferClock"/> of its own
    /// (<see cref="ConnectionLimits.MinLineRate"/>), so a trickled line ends after the grace period
    /// even where the idle timeout is long (30 minutes after an IMAP login).
    /// </remarks>
    public ValueTask<LineResult> ReadLineAsync(int maxLength, CancellationToken ct) => ReadLineAsync(maxLength, null, ct);

    /// <summary>
    /// Reads one line that belongs to <paramref name="transfer"/> (a DATA line, the rest of a command
    /// after a literal), which bounds it from the start instead of a clock of the line's own; null
    /// is <see cref="ReadLineAsync(int, CancellationToken)"/>.
    /// </summary>
    public async ValueTask<LineResult> ReadLineAsync(int maxLength, TransferClock? transfer, CancellationToken ct)
    {
        long deadline = Environment.TickCount64 + (long)ReadTimeout.TotalMilliseconds;
        // A line pipelined behind another has already begun; otherwise its clock starts at its first octet.
        var clock = transfer;
        long begun = HasBufferedInput ? Environment.TickCount64 : 0;
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
            if (clock is null && begun != 0)
            {
                clock = LineClock(begun);
            }

            int n = await FillAsync(ct, deadline, clock).ConfigureAwait(false);
            if (n == 0)
            {
                return new LineResult(LineStatus.Closed, ReadOnlyMemory<byte>.Empty, false);
            }

            if (clock is null)
            {
                clock = LineClock(Environment.TickCount64);
                clock.Add(n, Environment.TickCount64);
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
    /// Reads up to <paramref name="destination"/>.Length bytes (buffered bytes first); 0 at end of stream.
    /// With a <paramref name="transfer"/> (a literal, see <see cref="StartTransfer"/>), the read is
    /// bounded by its rate and stall rules as well as the idle timeout, and counted in it; waiting
    /// past any bound throws <see cref="IdleTimeoutException"/>.
    /// </summary>
    public async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken ct, TransferClock? transfer = null)
    {
        if (_end == _start)
        {
            _start = _end = 0;
            if (await FillAsync(ct, 0, transfer).ConfigureAwait(false) == 0)
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
    public async ValueTask ReadExactlyAsync(Memory<byte> destination, CancellationToken ct, TransferClock? transfer = null)
    {
        while (destination.Length > 0)
        {
            int n = await ReadAsync(destination, ct, transfer).ConfigureAwait(false);
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

    /// <summary>
    /// One read from the transport, bounded by the earliest of: the idle timeout, the line's
    /// deadline (<paramref name="lineDeadline"/>, 0 for none), the transfer's rate and stall rules,
    /// and the pre-login bound. Octets read are counted in <paramref name="transfer"/>.
    /// </summary>
    private async ValueTask<int> FillAsync(CancellationToken ct, long lineDeadline, TransferClock? transfer)
    {
        await FlushAsync(ct).ConfigureAwait(false);
        long now = Environment.TickCount64;
        var bound = new Bound(now + (long)ReadTimeout.TotalMilliseconds, null).Min(lineDeadline, null).Min(LoginDeadline, PreLoginKey);
        if (transfer is not null)
        {
            bound = bound.Min(transfer.RateDeadline, transfer.RateLimit).Min(transfer.StallDeadline, StallKey);
        }

        if (bound.At <= now)
        {
            // Past a deadline already: no read at all, or a client whose bytes are always waiting
            // (complete commands sent just slowly enough) would never meet the pre-login bound.
            throw TimedOut(bound.Limit, "The client sent nothing within the idle timeout.");
        }

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(TimeSpan.FromMilliseconds(bound.At - now));
        try
        {
            int n = await _reader.ReadAsync(_in.AsMemory(_end), cts.Token).ConfigureAwait(false);
            _end += n;
            transfer?.Add(n, Environment.TickCount64);
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
            throw TimedOut(bound.Limit, "The client sent nothing within the idle timeout.");
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

    /// <summary>The earliest of several deadlines, with the configuration key of the one it is (null: the idle timeout).</summary>
    private readonly record struct Bound(long At, string? Limit)
    {
        public Bound Min(long at, string? limit) => at != 0 && at < At ? new Bound(at, limit) : this;
    }

    /// <summary>
    /// The exception for a time bound that ran out; a named limit is logged. After the pre-login
    /// bound the protocol may still say goodbye, so that bound is lifted for its last words.
    /// </summary>
    private IdleTimeoutException TimedOut(string? limit, string idleMessage)
    {
        if (limit is null)
        {
            return new IdleTimeoutException(idleMessage);
        }

        if (limit == PreLoginKey)
        {
            LoginDeadline = 0;
        }

        if (Log is not null)
        {
            LogTimeBound(Log, Endpoint.Name, Remote?.ToString() ?? "-", limit);
        }

        return new IdleTimeoutException($"The client was too slow ({limit}).") { Limit = limit };
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

        long now = Environment.TickCount64;
        var bound = new Bound(now + (long)WriteTimeout.TotalMilliseconds, null).Min(LoginDeadline, PreLoginKey);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(TimeSpan.FromMilliseconds(Math.Max(1, bound.At - now)));
        try
        {
            await _writer.WriteAsync(_out.WrittenMemory, cts.Token).ConfigureAwait(false);
            // On a compressed connection this is a deflate sync flush, so the client sees whole replies.
            await _writer.FlushAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw TimedOut(bound.Limit, "The client did not read our output within the write timeout.");
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
