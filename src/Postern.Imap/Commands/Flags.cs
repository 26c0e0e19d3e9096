using Postern.Imap.Parsing;
using Postern.Imap.Session;
using Postern.Storage;

namespace Postern.Imap.Commands;

/// <summary>Flag lists of STORE and APPEND: system flags and keywords (RFC 3501 2.3.2, 9 "flag").</summary>
internal static class Flags
{
    /// <summary>Most keywords one command may carry; a bound on what a client can make us store.</summary>
    public const int MaxKeywords = 100;

    /// <summary>Longest keyword we accept.</summary>
    public const int MaxKeywordLength = 100;

    /// <summary>
    /// Reads system flags into the result and keywords into <paramref name="keywords"/>. \Recent
    /// cannot be set by clients and is skipped; other unknown "\" flags are BAD.
    /// </summary>
    public static MessageFlags Parse(IReadOnlyList<ImapToken> tokens, List<string> keywords)
    {
        var flags = MessageFlags.None;
        foreach (var t in tokens)
        {
            if (t.Kind != ImapTokenKind.Atom)
            {
                throw ImapException.Bad("Invalid flag");
            }

            if (ImapText.ParseFlag(t.Text) is { } f)
            {
                flags |= f;
            }
            else if (t.Text.StartsWith('\\'))
            {
                if (!t.Text.Equals("\\Recent", StringComparison.OrdinalIgnoreCase))
                {
                    throw ImapException.Bad("Invalid system flag");
                }
            }
            else if (!IsKeyword(t.Text))
            {
                throw ImapException.Bad("Invalid keyword");
            }
            else if (!keywords.Contains(t.Text, StringComparer.OrdinalIgnoreCase))
            {
                if (keywords.Count >= MaxKeywords)
                {
                    throw ImapException.Bad("Too many keywords");
                }

                keywords.Add(t.Text);
            }
        }

        return flags;
    }

    /// <summary>keyword = atom (RFC 3501 9): no atom-specials, and "]" is a resp-special too.</summary>
    public static bool IsKeyword(string text)
    {
        if (text.Length == 0 || text.Length > MaxKeywordLength)
        {
            return false;
        }

        foreach (char c in text)
        {
            if (c <= ' ' || c >= 0x7f || c is '(' or ')' or '{' or '%' or '*' or '"' or '\\' or ']' or '[')
            {
                return false;
            }
        }

        return true;
    }
}
