using System.Buffers;

namespace Postern.Pop3.Session;

/// <summary>
/// Turns a stored message into the body of a multi-line POP3 response, chunk by chunk, so a
/// 50 MB message never sits in memory (pure: no I/O).
/// </summary>
/// <remarks>
/// RFC 1939 section 3: every line that begins with "." gets one more "."; the response ends with
/// CRLF "." CRLF, so the body must end with CRLF. Lines are ended by CRLF on the wire; a bare LF
/// in a stored message (which should not happen, bodies are stored with CRLF) becomes CRLF so the
/// terminator can never be hidden. With a line limit it implements TOP (section 7): the header
/// section, the blank line, then at most that many body lines.
/// </remarks>
internal sealed class DotStuffer
{
    private static readonly byte[] Crlf = "\r\n"u8.ToArray();

    /// <summary>Body lines still to send; -1 for the whole message.</summary>
    private long _bodyLinesLeft;
    private long _lineLength;
    private byte _lastByte;
    private bool _inBody;

    /// <param name="bodyLines">For TOP: how many body lines to send; null for the whole message (RETR).</param>
    public DotStuffer(long? bodyLines = null)
    {
        _bodyLinesLeft = bodyLines ?? -1;
    }

    /// <summary>True once TOP has sent everything it should; the rest of the message need not be read.</summary>
    public bool Done { get; private set; }

    /// <summary>Encodes one chunk of the stored message into <paramref name="output"/>.</summary>
    public void Append(ReadOnlySpan<byte> chunk, IBufferWriter<byte> output)
    {
        while (!chunk.IsEmpty && !Done)
        {
            int lf = chunk.IndexOf((byte)'\n');
            var content = lf < 0 ? chunk : chunk[..lf];
            if (_lineLength == 0 && !content.IsEmpty && content[0] == (byte)'.')
            {
                output.Write("."u8);
            }

            output.Write(content);
            if (!content.IsEmpty)
            {
                _lineLength += content.Length;
                _lastByte = content[^1];
            }

            if (lf < 0)
            {
                return;
            }

            bool hadCr = _lineLength > 0 && _lastByte == (byte)'\r';
            output.Write(hadCr ? "\n"u8 : Crlf);
            EndLine(empty: _lineLength == 0 || (_lineLength == 1 && hadCr));
            chunk = chunk[(lf + 1)..];
        }
    }

    /// <summary>Ends the body: completes a last line without CRLF, then writes the "." terminator.</summary>
    public void Complete(IBufferWriter<byte> output)
    {
        if (_lineLength > 0 && !Done)
        {
            output.Write(_lastByte == (byte)'\r' ? "\n"u8 : Crlf);
        }

        output.Write(".\r\n"u8);
    }

    private void EndLine(bool empty)
    {
        _lineLength = 0;
        if (!_inBody)
        {
            // The first empty line ends the header section (RFC 5322 section 2.1).
            if (empty)
            {
                _inBody = true;
                Done = _bodyLinesLeft == 0;
            }

            return;
        }

        if (_bodyLinesLeft > 0)
        {
            _bodyLinesLeft--;
            Done = _bodyLinesLeft == 0;
        }
    }
}
