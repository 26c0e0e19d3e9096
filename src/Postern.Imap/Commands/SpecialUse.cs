using Postern.Imap.Parsing;
using Postern.Imap.Session;

namespace Postern.Imap.Commands;

/// <summary>The special-use attributes of RFC 6154 and the CREATE parameter that sets them (RFC 6154 3).</summary>
internal static class SpecialUse
{
    /// <summary>
    /// Attributes a created mailbox can carry. \All and \Flagged name virtual mailboxes (all
    /// messages, flagged messages) that the store cannot fill, so they are refused with USEATTR.
    /// </summary>
    private static readonly string[] Storable = ["\\Archive", "\\Drafts", "\\Junk", "\\Sent", "\\Trash"];

    private static readonly string[] Known = [.. Storable, "\\All", "\\Flagged"];

    /// <summary>
    /// create-params = "(" create-param *(SP create-param) ")" with create-param "USE" SP "(" [use-attr *(SP use-attr)] ")".
    /// Returns the one attribute to store, or null for "USE ()". A syntax error is BAD; an attribute
    /// we cannot store is NO [USEATTR] (RFC 6154 3); an unknown parameter is BAD (RFC 4466 2.2).
    /// </summary>
    public static string? ParseCreateParams(ImapToken token)
    {
        if (token.Kind != ImapTokenKind.List || token.Items.Count == 0)
        {
            throw ImapException.Bad("Expected CREATE parameters in parentheses");
        }

        string? use = null;
        bool seenUse = false;
        var items = token.Items;
        for (int i = 0; i < items.Count; i += 2)
        {
            if (items[i].Kind != ImapTokenKind.Atom || !items[i].Text.Equals("USE", StringComparison.OrdinalIgnoreCase))
            {
                throw ImapException.Bad("Unknown CREATE parameter");
            }

            if (seenUse || i + 1 >= items.Count || items[i + 1].Kind != ImapTokenKind.List)
            {
                throw ImapException.Bad("USE needs one list of attributes");
            }

            seenUse = true;
            foreach (var attr in items[i + 1].Items)
            {
                if (attr.Kind != ImapTokenKind.Atom || !attr.Text.StartsWith('\\'))
                {
                    throw ImapException.Bad("Expected special-use attributes");
                }

                string? known = Array.Find(Known, k => k.Equals(attr.Text, StringComparison.OrdinalIgnoreCase));
                if (known is null || !Storable.Contains(known))
                {
                    throw ImapException.No("[USEATTR] Special-use attribute not supported");
                }

                // A mailbox has at most one special use here; the store keeps a single attribute.
                if (use is not null && use != known)
                {
                    throw ImapException.No("[USEATTR] Only one special-use attribute per mailbox");
                }

                use = known;
            }
        }

        return use;
    }
}
