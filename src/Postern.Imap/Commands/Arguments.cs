using Postern.Imap.Parsing;
using Postern.Imap.Session;

namespace Postern.Imap.Commands;

/// <summary>Argument checks shared by the commands; each failure is a BAD with a short reason.</summary>
internal static class Arguments
{
    public static void Count(ImapCommand command, int min, int max)
    {
        if (command.Args.Count < min || command.Args.Count > max)
        {
            throw ImapException.Bad(min == max && min == 0 ? "This command takes no arguments" : "Wrong number of arguments");
        }
    }

    public static string AString(ImapToken token, string what)
    {
        if (!token.IsAString)
        {
            throw ImapException.Bad("Expected " + what);
        }

        return token.Text;
    }

    public static SequenceSet Set(ImapToken token)
    {
        if (token.Kind != ImapTokenKind.Atom || !SequenceSet.TryParse(token.Text, out var set))
        {
            throw ImapException.Bad("Invalid sequence set");
        }

        return set!;
    }

    /// <summary>
    /// Mailbox names: decoded from modified UTF-7 (RFC 3501 5.1.3), or taken as UTF-8 once the
    /// client enabled UTF8=ACCEPT or IMAP4rev2 (RFC 6855 3, RFC 9051 5.1); "INBOX" in any case is
    /// the inbox (RFC 3501 5.1). A name that is not valid modified UTF-7 is refused with NO: the
    /// astring itself is well-formed, it just cannot name a mailbox (as Dovecot answers).
    /// </summary>
    public static string Mailbox(ImapSession session, ImapToken token)
    {
        string name = Name(session, AString(token, "a mailbox name"));
        return name.Equals("INBOX", StringComparison.OrdinalIgnoreCase) ? "INBOX" : name;
    }

    /// <summary>A name or LIST pattern in the session's encoding (see <see cref="Mailbox"/>); refused when malformed.</summary>
    public static string Name(ImapSession session, string wire) =>
        session.Utf8Names ? MailboxNames.CheckUtf8(wire) : Utf7(wire);

    /// <summary>
    /// Decodes a modified UTF-7 name or pattern. 8-bit or control characters are a syntax error
    /// (BAD: IMAP4rev1 strings are 7-bit, RFC 3501 9); other malformed modified UTF-7 is NO [CANNOT].
    /// </summary>
    public static string Utf7(string wire)
    {
        if (ModifiedUtf7.TryDecode(wire, out string name))
        {
            return name;
        }

        throw wire.Any(c => c < 0x20 || c > 0x7e)
            ? ImapException.Bad("Mailbox name is not valid modified UTF-7")
            : ImapException.No("[CANNOT] Mailbox name is not valid modified UTF-7");
    }
}
