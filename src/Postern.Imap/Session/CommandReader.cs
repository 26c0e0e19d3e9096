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
}

/// <summary>One command as read: its status, its bytes, and its tag when one could be seen.</summary>
public readonly record struct CommandFrame(FrameStatus Status, ReadOnlyMemory<byte> Bytes, string? Tag);

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
        while (true)
        {
            var line = await _connection.ReadLineAsync(_options.MaxLineLength, ct).ConfigureAwait(false);
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

            if (size > _options.MaxLiteralSize || _buffer.WrittenCount + size > _options.MaxCommandSize)
            {
                return new CommandFrame(nonSync ? FrameStatus.FatalTooLarge : FrameStatus.TooLarge, default, tag);
            }

            if (!nonSync)
            {
                // Sent now; the read below flushes it (RFC 3501 7.5 command continuation request).
                _connection.WriteLine("+ Ready for literal data");
            }

            if (size > 0)
            {
                var memory = _buffer.GetMemory((int)size)[..(int)size];
                await _connection.ReadExactlyAsync(memory, ct).ConfigureAwait(false);
                _buffer.Advance((int)size);
            }
        }
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
