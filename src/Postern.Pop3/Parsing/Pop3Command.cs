using System.Text;

namespace Postern.Pop3.Parsing;

/// <summary>One command line split into its keyword and arguments (RFC 1939 section 3).</summary>
/// <param name="Keyword">The keyword in upper case (keywords are case-insensitive).</param>
/// <param name="Arguments">The space-separated arguments.</param>
/// <param name="Rest">Everything after the first space after the keyword, unsplit (PASS takes it whole).</param>
internal sealed record Pop3Command(string Keyword, IReadOnlyList<string> Arguments, string Rest);

/// <summary>Why a command line could not be parsed.</summary>
internal enum CommandParseError
{
    None,
    Empty,
    BadKeyword,
    ControlCharacter,
    BadEncoding,
}

/// <summary>Pure parser for POP3 command lines (no I/O, no state).</summary>
internal static class CommandParser
{
    /// <summary>RFC 1939 section 3: keywords are three or four characters.</summary>
    private const int MaxKeywordLength = 4;

    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    /// <summary>Parses a line without its line ending.</summary>
    public static CommandParseError TryParse(ReadOnlySpan<byte> line, out Pop3Command? command)
    {
        command = null;
        if (line.IsEmpty)
        {
            return CommandParseError.Empty;
        }

        // Control characters (NUL, TAB, CR in the middle, DEL...) have no place in a command line.
        foreach (byte b in line)
        {
            if (b < 0x20 || b == 0x7F)
            {
                return CommandParseError.ControlCharacter;
            }
        }

        int space = line.IndexOf((byte)' ');
        var keyword = space < 0 ? line : line[..space];
        if (keyword.Length is 0 or > MaxKeywordLength)
        {
            return CommandParseError.BadKeyword;
        }

        Span<char> upper = stackalloc char[MaxKeywordLength];
        for (int i = 0; i < keyword.Length; i++)
        {
            byte b = keyword[i];
            if (b is >= (byte)'a' and <= (byte)'z')
            {
                b -= 0x20;
            }
            else if (b is < (byte)'A' or > (byte)'Z')
            {
                return CommandParseError.BadKeyword;
            }

            upper[i] = (char)b;
        }

        string rest;
        try
        {
            // UTF-8 is allowed in arguments (RFC 6856 user names and passwords), but only valid UTF-8.
            rest = space < 0 ? "" : StrictUtf8.GetString(line[(space + 1)..]);
        }
        catch (DecoderFallbackException)
        {
            return CommandParseError.BadEncoding;
        }

        var arguments = rest.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        command = new Pop3Command(new string(upper[..keyword.Length]), arguments, rest);
        return CommandParseError.None;
    }
}
