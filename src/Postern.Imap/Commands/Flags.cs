using Postern.Imap.Parsing;
using Postern.Imap.Session;
using Postern.Storage;

namespace Postern.Imap.Commands;

/// <summary>Flag lists of STORE and APPEND: system flags and keywords (RFC 3501 2.3.2, 9 "flag").</summary>
internal static class Flags
{
    /// <summary>
    /// Reads system flags into the result and keywords into <paramref name="keywords"/>. \Recent
    /// cannot be set by clients and is skipped; other unknown "\" flags are BAD. A keyword longer, or
    /// more keywords, than one message may carry (<see cref="StoreLimits"/>) is NO [LIMIT] here,
    /// before the store is reached (RFC 5530 3: "the number of flags on a single message").
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
                keywords.Add(t.Text);
                MailboxErrors.CheckLimit(() =>
                {
                    StoreLimits.CheckKeywordLength(t.Text);
                    StoreLimits.CheckKeywordsPerMessage(keywords.Count);
                });
            }
        }

        return flags;
    }

    /// <summary>
    /// keyword = atom (RFC 3501 9): no atom-specials, and "]" is a resp-special too. Syntax only: the
    /// line length bounds it, <see cref="StoreLimits.MaxKeywordLength"/> is checked by the caller.
    /// </summary>
    public static bool IsKeyword(string text)
    {
        if (text.Length == 0)
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
