using Postern.Imap.Parsing;
using Postern.Imap.Session;

namespace Postern.Imap.Commands;

/// <summary>fetch-modifiers (RFC 4466 2.4): CHANGEDSINCE (RFC 7162 3.1.4) and VANISHED (RFC 7162 3.2.6).</summary>
public sealed record FetchModifiers(ulong? ChangedSince, bool Vanished)
{
    public static readonly FetchModifiers None = new(null, false);

    public static FetchModifiers Parse(ImapToken list)
    {
        if (list.Kind != ImapTokenKind.List || list.Items.Count == 0)
        {
            throw ImapException.Bad("Expected a list of fetch modifiers");
        }

        ulong? since = null;
        bool vanished = false;
        var items = list.Items;
        for (int i = 0; i < items.Count; i++)
        {
            string word = items[i].Kind == ImapTokenKind.Atom ? items[i].Text.ToUpperInvariant() : "";
            if (word == "CHANGEDSINCE" && since is null && i + 1 < items.Count && SelectParameters.TryNumber(items[i + 1], out ulong value))
            {
                since = value;
                i++;
            }
            else if (word == "VANISHED" && !vanished)
            {
                vanished = true;
            }
            else
            {
                throw ImapException.Bad("Unknown or repeated fetch modifier");
            }
        }

        if (vanished && since is null)
        {
            // RFC 7162 3.2.6: VANISHED without CHANGEDSINCE is an error.
            throw ImapException.Bad("VANISHED needs CHANGEDSINCE");
        }

        return new FetchModifiers(since, vanished);
    }
}
