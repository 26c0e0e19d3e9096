using System.Text;

namespace Postern.Imap.Parsing;

/// <summary>
/// What stands just before the "{" of an APPEND message literal: "~" for a literal8 (RFC 3516 4.4,
/// BINARY) and "UTF8 (" for the UTF8 data item (RFC 6855 4), as in "UTF8 (~{n}".
/// </summary>
public static class AppendMarker
{
    /// <summary>
    /// Given the bytes of a line up to (not including) the "{", returns how many of them precede the
    /// markers, and which markers there were.
    /// </summary>
    public static int Strip(ReadOnlySpan<byte> beforeBrace, out bool binary, out bool utf8)
    {
        int end = beforeBrace.Length;
        binary = end > 0 && beforeBrace[end - 1] == (byte)'~';
        if (binary)
        {
            end--;
        }

        utf8 = false;
        var head = beforeBrace[..end];
        if (head.Length >= 6 && head[^1] == (byte)'(' && Ascii.EqualsIgnoreCase(head[^6..^1], "UTF8 "u8)
            && (head.Length == 6 || head[^7] == (byte)' '))
        {
            utf8 = true;
            end -= 6;
        }

        return end;
    }
}
