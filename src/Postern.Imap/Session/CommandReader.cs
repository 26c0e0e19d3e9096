using System.Buffers;
using System.Text;
using Postern.Imap.Parsing;
using Postern.Net;

namespace Postern.Imap.Session;

/// <summary>How reading one command from the wire ended.</summary>
public enum FrameStatus
{
    /// <summary>A whole command (lines and literals) is in <see cref="CommandFrame.Bytes"/>.</summary>
    Complete,

    /// <summary>The peer closed the connection.</summary>
    Closed,

    /// <summary>A line was longer than allowed (it was read and thrown away).</summary>
    LineTooLong,

    /// <summary>A synchronising literal or the whole command was too large; no "+" was sent.</summary>
    TooLarge,

    /// <summary>A non-synchronising literal was too large: its bytes are already on the way, so the connection must close.</summary>
    FatalTooLarge,

    /// <summary>
    /// An APPEND up to its message literal: <see cref="CommandFrame.Bytes"/> holds the command without
    /// the literal marker; the literal (not read, no "+" sent) is left to the command to stream.
    /// </summary>
    AppendLiteral,
}

/// <summary>One command as read: its status, its bytes, and its tag when one could be seen.</summary>
/// <param name="LiteralSize">For <see cref="FrameStatus.AppendLiteral"/>: the announced message size.</param>
/// <param name="NonSync">For <see cref="FrameStatus.AppendLiteral"/>: the literal is {n+} and its bytes follow at once.</param>
/// <param name="Error">For <see cref="FrameStatus.TooLarge"/>: a more precise reason for the BAD, when there is one.</param>
public readonly record struct CommandFrame(FrameStatus Status, ReadOnlyMemory<byte> Bytes, string? Tag, long LiteralSize = 0, bool NonSync = false, string? Error = null)
{
    /// <summary>For <see cref="FrameStatus.AppendLiteral"/>: the message is a literal8 "~{n}" (RFC 3516 4.4).</summary>
    public bool Binary { get; init; }

    /// <summary>For <see cref="FrameStatus.AppendLiteral"/>: the message is wrapped in "UTF8 (...)" (RFC 6855 4).</summary>
    public bool Utf8 { get; init; }
}

/// <summary>
/// Reads one command off the connection: a line, and while the line ends in a literal marker
/// the literal's octets and the next line (RFC 3501 4.3, RFC 7888 LITERAL+). Every size is
/// checked before anything is buffered; "+ Ready" is sent only for literals we will accept.
/// </summary>
public sealed class CommandReader
{
    private readonly MailConnection _connection;
    private readonly ImapOptions _options;
    private readonly ArrayBufferWriter<byte> _buffer = new(1024);

    public CommandReader(MailConnection connection, ImapOptions options)
    {
        _connection = connection;
        _options = options;
    }

    public async Task<CommandFrame> ReadAsync(CancellationToken ct)
    {
        _buffer.ResetWrittenCount();
        string? tag = null;
        // After a literal the client owes the rest of the command at once: that line runs on the
        // literal's clock, not the idle timeout (30 minutes after login).
        TransferClock? owed = null;
        while (true)
        {
            var line = await _connection.ReadLineAsync(_options.MaxLineLength, owed, ct).ConfigureAwait(false);
            if (line.Status == LineStatus.Closed)
            {
                return new CommandFrame(FrameStatus.Closed, default, tag);
            }

            if (line.Status == LineStatus.TooLong)
            {
                // The connection keeps the line's first bytes, so the tagged BAD can still reach the client.
                tag ??= TagOf(line.Bytes.Span);
                return new CommandFrame(FrameStatus.LineTooLong, default, tag);
            }

            var bytes = line.Bytes.Span;
            tag ??= TagOf(bytes);
            bool literal = LiteralMarker.TryFindAtEnd(bytes, out long size, out bool nonSync);
            if (!literal && EndsWithOverflowingNonSyncLiteral(bytes))
            {
                // "{99999999999999999999+}": too big to even parse, yet its octets are already on the
                // way (RFC 7888) and would be read as commands; close like any too-large {n+}.
                return new CommandFrame(FrameStatus.FatalTooLarge, default, tag);
            }

            if (_buffer.WrittenCount + bytes.Length + 2 > _options.MaxCommandSize)
            {
                // A refused {n+} literal is already on its way and would be read as commands: close instead.
                return new CommandFrame(literal && nonSync ? FrameStatus.FatalTooLarge : FrameStatus.TooLarge, default, tag);
            }

            _buffer.Write(bytes);
            _buffer.Write("\r\n"u8);
            if (!literal)
            {
                return new CommandFrame(FrameStatus.Complete, _buffer.WrittenMemory, tag);
            }

            if (LiteralPolicy.Refuses(_options, size, nonSync))
            {
                // LITERAL- (RFC 7888 4): BAD, and the literal and the rest of the command are read and
                // thrown away so none of it runs as commands. One larger than an ordinary literal closes
                // the session instead (also allowed there): nobody, logged in or not, makes us read megabytes for nothing.
                long cap = _options.MaxLiteralSize;
                if (size > cap || !await LiteralDrain.DrainCommandAsync(_connection, size, _options.MaxLineLength, cap, _options.MinLiteralRate, ct).ConfigureAwait(false))
                {
                    return new CommandFrame(FrameStatus.FatalTooLarge, default, tag);
                }

                return new CommandFrame(FrameStatus.TooLarge, default, tag,
                    Error: $"Non-synchronizing literal over {LiteralPolicy.LiteralMinusLimit} octets; LITERAL- needs a synchronizing literal");
            }

            if (IsAppendMessage(bytes, out bool binary, out bool utf8))
            {
                // The message of an APPEND is streamed by the command, never buffered here (RFC 3501 6.3.11).
                if (nonSync && size > _options.MaxAppendSize)
                {
                    return new CommandFrame(FrameStatus.FatalTooLarge, default, tag);
                }

                return new CommandFrame(FrameStatus.AppendLiteral, _appendPrefix, tag, size, nonSync) { Binary = binary, Utf8 = utf8 };
            }

            if (size > _options.MaxLiteralSize || _buffer.WrittenCount + size > _options.MaxCommandSize)
            {
                return new CommandFrame(nonSync ? FrameStatus.FatalTooLarge : FrameStatus.TooLarge, default, tag);
            }

            if (!nonSync)
            {
                // Sent now; the read below flushes it (RFC 3501 7.5 command continuation request).
                _connection.WriteLine("+ Ready for literal data");
            }

            // Slower than MinLiteralRate ends the session like the idle timeout (slowloris).
            owed = _connection.StartTransfer(_options.MinLiteralRate, MinLiteralRateKey);
            if (size > 0)
            {
                var memory = _buffer.GetMemory((int)size)[..(int)size];
                await _connection.ReadExactlyAsync(memory, ct, owed).ConfigureAwait(false);
                _buffer.Advance((int)size);
            }
        }
    }

    /// <summary>The configuration key of <see cref="ImapOptions.MinLiteralRate"/>, named when it ends a session.</summary>
    public const string MinLiteralRateKey = "Imap:MinLiteralRate";

    private ReadOnlyMemory<byte> _appendPrefix;

    /// <summary>True when the line ends with "{" digits "+}" whose number is too long for <see cref="LiteralMarker"/>.</summary>
    private static bool EndsWithOverflowingNonSyncLiteral(ReadOnlySpan<byte> line)
    {
        int open = line.LastIndexOf((byte)'{');
        if (open < 0 || !line.EndsWith("+}"u8))
        {
            return false;
        }

        var digits = line[(open + 1)..^2];
        return digits.Length > 0 && digits.IndexOfAnyExceptInRange((byte)'0', (byte)'9') < 0;
    }

    /// <summary>
    /// True when the command so far is "tag APPEND mailbox ..." and the literal that ends
    /// <paramref name="line"/> is therefore the message (date-time is always quoted, RFC 3501 9,
    /// so the first literal after the mailbox is the message).
    /// </summary>
    private bool IsAppendMessage(ReadOnlySpan<byte> line, out bool binary, out bool utf8)
    {
        binary = utf8 = false;
        var written = _buffer.WrittenSpan;
        int sp = written.IndexOf((byte)' ');
        if (sp < 0 || written.Length < sp + 8 || !Ascii.EqualsIgnoreCase(written.Slice(sp + 1, 7), "APPEND "u8))
        {
            return false;
        }

        // The buffer holds the line with its CRLF; take it off with the marker (and a literal8 "~" or
        // "UTF8 (" before it) and parse what is left.
        int open = AppendMarker.Strip(line[..line.LastIndexOf((byte)'{')], out bool isBinary, out bool isUtf8);
        var prefix = new byte[written.Length - line.Length - 2 + open + 2];
        written[..(written.Length - line.Length - 2)].CopyTo(prefix);
        line[..open].CopyTo(prefix.AsSpan(written.Length - line.Length - 2));
        prefix[^2] = (byte)'\r';
        prefix[^1] = (byte)'\n';
        var outcome = ImapParser.Parse(prefix, _options.MaxLiteralSize, _options.MaxNestingDepth);
        if (outcome.Status != ParseStatus.Complete || outcome.Command!.Name != "APPEND" || outcome.Command.Args.Count < 1)
        {
            return false;
        }

        _appendPrefix = prefix;
        binary = isBinary;
        utf8 = isUtf8;
        return true;
    }

    /// <summary>The tag at the start of a line if it is a valid one, so errors can be answered tagged.</summary>
    private static string? TagOf(ReadOnlySpan<byte> line)
    {
        int sp = line.IndexOf((byte)' ');
        if (sp <= 0 || sp > ImapParser.MaxTagLength)
        {
            return null;
        }

        foreach (byte b in line[..sp])
        {
            if (!ImapParser.IsTagChar(b))
            {
                return null;
            }
        }

        return Encoding.ASCII.GetString(line[..sp]);
    }
}
