using Postern.Imap.Parsing;
using Postern.Imap.Session;

namespace Postern.Imap.Commands;

/// <summary>What an extended LIST asks for (RFC 5258 3, RFC 6154 5, RFC 5819 2).</summary>
internal sealed class ListOptions
{
    /// <summary>Deepest STATUS item list a LIST may carry; the real ones name a handful.</summary>
    private const int MaxStatusItems = 16;

    /// <summary>Most patterns in one LIST; a bound on work per command.</summary>
    public const int MaxPatterns = 32;

    public bool SelectSubscribed { get; private set; }

    public bool SelectSpecialUse { get; private set; }

    public bool RecursiveMatch { get; private set; }

    public bool ReturnSubscribed { get; private set; }

    /// <summary>STATUS items to report after each selectable mailbox (LIST-STATUS, RFC 5819), upper-cased.</summary>
    public List<string> StatusItems { get; } = [];

    /// <summary>
    /// True when the command used the LIST-EXTENDED syntax (selection or return options, or a list
    /// of patterns): the client then knows that \NonExistent implies \Noselect (RFC 5258 3.4).
    /// </summary>
    public bool Extended { get; set; }

    /// <summary>True when some selection option was given, i.e. the result is filtered (RFC 5258 3.1).</summary>
    public bool HasSelection => SelectSubscribed || SelectSpecialUse;

    /// <summary>
    /// list-select-opts: SUBSCRIBED, REMOTE (we have no remote mailboxes), RECURSIVEMATCH and
    /// SPECIAL-USE. RECURSIVEMATCH alone (or with only REMOTE) is a syntax error (RFC 5258 3.1).
    /// </summary>
    public void ParseSelection(ImapToken list)
    {
        Extended = true;
        foreach (var item in list.Items)
        {
            switch (Word(item))
            {
                case "SUBSCRIBED":
                    SelectSubscribed = true;
                    break;
                case "REMOTE":
                    break;
                case "RECURSIVEMATCH":
                    RecursiveMatch = true;
                    break;
                case "SPECIAL-USE":
                    SelectSpecialUse = true;
                    break;
                default:
                    throw ImapException.Bad("Unknown LIST selection option");
            }
        }

        if (RecursiveMatch && !HasSelection)
        {
            throw ImapException.Bad("RECURSIVEMATCH needs another selection option");
        }
    }

    /// <summary>list-return-opts: SUBSCRIBED, CHILDREN, SPECIAL-USE and STATUS (items) (RFC 5258 3.2, RFC 5819 2).</summary>
    public void ParseReturn(ImapToken list)
    {
        Extended = true;
        var items = list.Items;
        for (int i = 0; i < items.Count; i++)
        {
            switch (Word(items[i]))
            {
                case "SUBSCRIBED":
                    ReturnSubscribed = true;
                    break;
                case "CHILDREN":
                case "SPECIAL-USE":
                    // Both are always reported (CHILDREN, RFC 3348; SPECIAL-USE, RFC 6154 5.1 "MAY otherwise").
                    break;
                case "STATUS":
                    if (i + 1 >= items.Count || items[i + 1].Kind != ImapTokenKind.List || items[i + 1].Items.Count == 0
                        || items[i + 1].Items.Count > MaxStatusItems || StatusItems.Count > 0)
                    {
                        throw ImapException.Bad("STATUS needs one list of status items");
                    }

                    foreach (var s in items[++i].Items)
                    {
                        string w = Word(s);
                        if (!Commands.StatusItems.IsKnown(w))
                        {
                            throw ImapException.Bad("Unknown status item");
                        }

                        StatusItems.Add(w);
                    }

                    break;
                default:
                    throw ImapException.Bad("Unknown LIST return option");
            }
        }
    }

    private static string Word(ImapToken token) => token.Kind == ImapTokenKind.Atom ? token.Text.ToUpperInvariant() : "";
}
