using System.Text;

namespace Postern.Imap.Parsing;

/// <summary>The result of <see cref="ImapParser.Parse"/>.</summary>
/// <param name="Tag">The tag when it could be read (so a syntax error can be answered tagged), else null.</param>
/// <param name="Consumed">Bytes of the input the command used (only for <see cref="ParseStatus.Complete"/>).</param>
public readonly record struct ParseOutcome(ParseStatus Status, ImapCommand? Command, string? Tag, int Consumed, string? Error)
{
    public static ParseOutcome More(string? tag) => new(ParseStatus.NeedMoreData, null, tag, 0, null);

    public static ParseOutcome Bad(string? tag, string error) => new(ParseStatus.Invalid, null, tag, 0, error);
}

/// <summary>
/// Pure tokenizer for one IMAP command (RFC 3501 9, "command"): the bytes of the whole command,
/// its literals inline after their "{n}CRLF" markers, exactly as they came off the wire.
/// </summary>
/// <remarks>
/// No I/O, no allocation beyond the tokens, no recursion: lists are built with an explicit stack
/// whose depth is capped. Fetch items keep their "[section]" (which may hold spaces and
/// parentheses) and "&lt;partial&gt;" inside the atom; the command handlers interpret them.
/// </remarks>
public static class ImapParser
{
    /// <summary>Longest tag we accept; tags are echoed back, so they must stay small.</summary>
    public const int MaxTagLength = 64;

    public static ParseOutcome Parse(ReadOnlySpan<byte> input, int maxLiteralSize, int maxDepth)
    {
        int i = 0;

        // tag = 1*<any ASTRING-CHAR except "+"> (RFC 3501 9).
        while (i < input.Length && input[i] != (byte)' ' && input[i] != (byte)'\r' && input[i] != (byte)'\n')
        {
            if (!IsTagChar(input[i]) || i >= MaxTagLength)
            {
                return ParseOutcome.Bad(null, "Invalid tag");
            }

            i++;
        }

        if (i == input.Length)
        {
            return ParseOutcome.More(null);
        }

        if (i == 0)
        {
            return ParseOutcome.Bad(null, "Missing tag");
        }

        string tag = Encoding.ASCII.GetString(input[..i]);
        if (input[i] != (byte)' ')
        {
            return ParseOutcome.Bad(tag, "Missing command");
        }

        i++;
        var name = ReadName(input, ref i, out var status);
        if (status != ParseStatus.Complete)
        {
            return status == ParseStatus.NeedMoreData ? ParseOutcome.More(tag) : ParseOutcome.Bad(tag, "Invalid command name");
        }

        if (name == "UID")
        {
            if (i == input.Length)
            {
                return ParseOutcome.More(tag);
            }

            if (input[i] != (byte)' ')
            {
                return ParseOutcome.Bad(tag, "UID needs a command");
            }

            i++;
            var sub = ReadName(input, ref i, out status);
            if (status != ParseStatus.Complete)
            {
                return status == ParseStatus.NeedMoreData ? ParseOutcome.More(tag) : ParseOutcome.Bad(tag, "Invalid command name");
            }

            name = "UID " + sub;
        }

        var stack = new Stack<List<ImapToken>>();
        var current = new List<ImapToken>();
        while (true)
        {
            if (i == input.Length)
            {
                return ParseOutcome.More(tag);
            }

            byte b = input[i];
            switch (b)
            {
                case (byte)' ':
                    i++;
                    break;
                case (byte)'\r':
                    if (i + 1 == input.Length)
                    {
                        return ParseOutcome.More(tag);
                    }

                    if (input[i + 1] != (byte)'\n')
                    {
                        return ParseOutcome.Bad(tag, "Bare CR in command");
                    }

                    return stack.Count > 0
                        ? ParseOutcome.Bad(tag, "Unclosed parenthesis")
                        : new ParseOutcome(ParseStatus.Complete, new ImapCommand(tag, name, current), tag, i + 2, null);
                case (byte)'\n':
                    // Tolerate a bare LF line ending (some scripts send it); the framer normally adds CRLF.
                    return stack.Count > 0
                        ? ParseOutcome.Bad(tag, "Unclosed parenthesis")
                        : new ParseOutcome(ParseStatus.Complete, new ImapCommand(tag, name, current), tag, i + 1, null);
                case (byte)'(':
                    if (stack.Count >= maxDepth)
                    {
                        return ParseOutcome.Bad(tag, "Lists nested too deeply");
                    }

                    stack.Push(current);
                    current = [];
                    i++;
                    break;
                case (byte)')':
                    if (stack.Count == 0)
                    {
                        return ParseOutcome.Bad(tag, "Unexpected ')'");
                    }

                    var list = ImapToken.List(current);
                    current = stack.Pop();
                    current.Add(list);
                    i++;
                    break;
                case (byte)'"':
                {
                    var s = ReadQuoted(input, ref i, out status, out string? err);
                    if (status != ParseStatus.Complete)
                    {
                        return status == ParseStatus.NeedMoreData ? ParseOutcome.More(tag) : ParseOutcome.Bad(tag, err!);
                    }

                    current.Add(ImapToken.String(s!, literal: false));
                    break;
                }

                case (byte)'{':
                {
                    var s = ReadLiteral(input, ref i, maxLiteralSize, out status, out string? err);
                    if (status != ParseStatus.Complete)
                    {
                        return status == ParseStatus.NeedMoreData ? ParseOutcome.More(tag) : ParseOutcome.Bad(tag, err!);
                    }

                    current.Add(ImapToken.String(s!, literal: true));
                    break;
                }

                default:
                {
                    var atom = ReadAtom(input, ref i, out status, out string? err);
                    if (status != ParseStatus.Complete)
                    {
                        return status == ParseStatus.NeedMoreData ? ParseOutcome.More(tag) : ParseOutcome.Bad(tag, err!);
                    }

                    current.Add(ImapToken.Atom(atom!));
                    break;
                }
            }
        }
    }

    /// <summary>ASTRING-CHAR minus "+": no CTL, SP, "(", ")", "{", "%", "*", DQUOTE, "\" (RFC 3501 9).</summary>
    public static bool IsTagChar(byte b) =>
        b > 0x20 && b < 0x7f && b is not ((byte)'(' or (byte)')' or (byte)'{' or (byte)'%' or (byte)'*' or (byte)'"' or (byte)'\\' or (byte)'+');

    private static string ReadName(ReadOnlySpan<byte> input, ref int i, out ParseStatus status)
    {
        int start = i;
        while (i < input.Length && IsNameChar(input[i]))
        {
            i++;
        }

        if (i == input.Length)
        {
            status = ParseStatus.NeedMoreData;
            return "";
        }

        byte next = input[i];
        if (i == start || i - start > 32 || (next != (byte)' ' && next != (byte)'\r' && next != (byte)'\n'))
        {
            status = ParseStatus.Invalid;
            return "";
        }

        status = ParseStatus.Complete;
        return Encoding.ASCII.GetString(input[start..i]).ToUpperInvariant();
    }

    private static bool IsNameChar(byte b) => b is >= (byte)'A' and <= (byte)'Z' or >= (byte)'a' and <= (byte)'z' or >= (byte)'0' and <= (byte)'9' or (byte)'-' or (byte)'_' or (byte)'.';

    private static string? ReadQuoted(ReadOnlySpan<byte> input, ref int i, out ParseStatus status, out string? error)
    {
        // quoted = DQUOTE *QUOTED-CHAR DQUOTE; only \" and \\ may be escaped (RFC 3501 9).
        error = null;
        var bytes = new List<byte>();
        int j = i + 1;
        while (j < input.Length)
        {
            byte b = input[j];
            if (b == (byte)'"')
            {
                i = j + 1;
                status = ParseStatus.Complete;
                return Encoding.UTF8.GetString(bytes.ToArray());
            }

            if (b is (byte)'\r' or (byte)'\n' or 0)
            {
                status = ParseStatus.Invalid;
                error = "Unterminated quoted string";
                return null;
            }

            if (b == (byte)'\\')
            {
                if (j + 1 == input.Length)
                {
                    break;
                }

                byte e = input[j + 1];
                if (e is not ((byte)'"' or (byte)'\\'))
                {
                    status = ParseStatus.Invalid;
                    error = "Invalid escape in quoted string";
                    return null;
                }

                bytes.Add(e);
                j += 2;
                continue;
            }

            bytes.Add(b);
            j++;
        }

        status = ParseStatus.NeedMoreData;
        return null;
    }

    private static string? ReadLiteral(ReadOnlySpan<byte> input, ref int i, int maxLiteralSize, out ParseStatus status, out string? error)
    {
        error = null;
        if (!LiteralMarker.TryParseAt(input, i + 1, out long size, out _, out int afterBrace, out bool complete))
        {
            status = complete ? ParseStatus.Invalid : ParseStatus.NeedMoreData;
            error = "Invalid literal";
            return null;
        }

        if (size > maxLiteralSize)
        {
            status = ParseStatus.Invalid;
            error = "Literal too large";
            return null;
        }

        // The marker must end the line: "{n}" CRLF then exactly n octets.
        int j = afterBrace;
        if (j == input.Length || (input[j] == (byte)'\r' && j + 1 == input.Length))
        {
            status = ParseStatus.NeedMoreData;
            return null;
        }

        if (input[j] == (byte)'\r' && input[j + 1] == (byte)'\n')
        {
            j += 2;
        }
        else if (input[j] == (byte)'\n')
        {
            j += 1;
        }
        else
        {
            status = ParseStatus.Invalid;
            error = "Literal marker must end the line";
            return null;
        }

        if (input.Length - j < size)
        {
            status = ParseStatus.NeedMoreData;
            return null;
        }

        var text = Encoding.UTF8.GetString(input.Slice(j, (int)size));
        i = j + (int)size;
        status = ParseStatus.Complete;
        return text;
    }

    /// <summary>The fetch attributes whose "[section]" may hold spaces (RFC 3501 6.4.5; RFC 3516 BINARY).</summary>
    private static bool TakesSection(ReadOnlySpan<byte> name) =>
        Ascii.EqualsIgnoreCase(name, "BODY"u8) || Ascii.EqualsIgnoreCase(name, "BODY.PEEK"u8)
        || Ascii.EqualsIgnoreCase(name, "BINARY"u8) || Ascii.EqualsIgnoreCase(name, "BINARY.PEEK"u8) || Ascii.EqualsIgnoreCase(name, "BINARY.SIZE"u8);

    private static string? ReadAtom(ReadOnlySpan<byte> input, ref int i, out ParseStatus status, out string? error)
    {
        error = null;
        int start = i;
        int j = i;
        while (j < input.Length)
        {
            byte b = input[j];
            if (b is (byte)' ' or (byte)'(' or (byte)')' or (byte)'\r' or (byte)'\n' or (byte)'"')
            {
                break;
            }

            if (b < 0x20 || b == 0x7f)
            {
                status = ParseStatus.Invalid;
                error = "Control character in command";
                return null;
            }

            if (b == (byte)'[' && TakesSection(input[start..j]))
            {
                // A fetch section (RFC 3501 6.4.5) may contain spaces and a parenthesised field list.
                // Elsewhere "[" is an ordinary ATOM-CHAR (RFC 3501 9: only "]" is a resp-special).
                int close = input[j..].IndexOf((byte)']');
                int eol = input[j..].IndexOfAny((byte)'\r', (byte)'\n');
                if (eol >= 0 && (close < 0 || eol < close))
                {
                    status = ParseStatus.Invalid;
                    error = "Unterminated '['";
                    return null;
                }

                if (close < 0)
                {
                    status = ParseStatus.NeedMoreData;
                    return null;
                }

                j += close + 1;
                continue;
            }

            j++;
        }

        if (j == input.Length)
        {
            status = ParseStatus.NeedMoreData;
            return null;
        }

        i = j;
        status = ParseStatus.Complete;
        return Encoding.UTF8.GetString(input[start..j]);
    }
}
