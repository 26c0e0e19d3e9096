namespace Postern.Imap.Session;

/// <summary>Checks on mailbox names that arrive as UTF-8 (RFC 6855 3, RFC 9051 5.1).</summary>
public static class MailboxNames
{
    /// <summary>
    /// A UTF-8 name must be valid UTF-8 (the parser turns invalid bytes into U+FFFD) and hold no
    /// control characters (RFC 9051 5.1: names SHOULD NOT contain them; we refuse them outright,
    /// as we do for modified UTF-7).
    /// </summary>
    public static string CheckUtf8(string wire)
    {
        foreach (char c in wire)
        {
            if (c == '\uFFFD')
            {
                throw ImapException.Bad("Mailbox name is not valid UTF-8");
            }

            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0))
            {
                throw ImapException.Bad("Mailbox name contains a control character");
            }
        }

        return wire;
    }
}
