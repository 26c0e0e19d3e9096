using Postern.Imap.Parsing;
using Postern.Imap.Session;

namespace Postern.Imap.Commands;

/// <summary>QRESYNC (uidvalidity modseq [known-uids [(seq-set uid-set)]]) of RFC 7162 3.2.5.</summary>
/// <param name="KnownUids">The UIDs the client knows, or null for "all".</param>
public sealed record QResyncParameters(uint UidValidity, ulong ModSeq, SequenceSet? KnownUids);

/// <summary>The optional parameter list of SELECT/EXAMINE (RFC 4466 2.1): CONDSTORE and QRESYNC (RFC 7162).</summary>
public sealed record SelectParameters(bool CondStore, QResyncParameters? QResync)
{
    public static readonly SelectParameters None = new(false, null);

    public static SelectParameters Parse(ImapToken token)
    {
        if (token.Kind != ImapTokenKind.List || token.Items.Count == 0)
        {
            throw ImapException.Bad("Expected a list of select parameters");
        }

        bool condStore = false;
        QResyncParameters? qresync = null;
        var items = token.Items;
        for (int i = 0; i < items.Count; i++)
        {
            string word = items[i].Kind == ImapTokenKind.Atom ? items[i].Text.ToUpperInvariant() : "";
            if (word == "CONDSTORE" && !condStore)
            {
                condStore = true;
            }
            else if (word == "QRESYNC" && qresync is null && i + 1 < items.Count)
            {
                qresync = ParseQResync(items[++i]);
            }
            else
            {
                throw ImapException.Bad("Unknown or repeated select parameter");
            }
        }

        return new SelectParameters(condStore, qresync);
    }

    private static QResyncParameters ParseQResync(ImapToken list)
    {
        if (list.Kind != ImapTokenKind.List || list.Items.Count is < 2 or > 4)
        {
            throw ImapException.Bad("Expected (uidvalidity modseq [known-uids [(seq-set uid-set)]])");
        }

        var items = list.Items;
        if (!TryNumber(items[0], out ulong validity) || validity is 0 or > uint.MaxValue)
        {
            throw ImapException.Bad("Invalid UIDVALIDITY");
        }

        if (!TryNumber(items[1], out ulong modSeq) || modSeq == 0)
        {
            throw ImapException.Bad("Invalid MODSEQ");
        }

        SequenceSet? known = null;
        int next = 2;
        if (items.Count > next && items[next].Kind == ImapTokenKind.Atom)
        {
            known = Arguments.Set(items[next]);
            next++;
        }

        if (items.Count > next)
        {
            // (known-sequence-set known-uid-set): only checked; every tombstone is kept, so the
            // store answers VANISHED (EARLIER) exactly without the client's hints (RFC 7162 3.2.5.2).
            var match = items[next];
            if (match.Kind != ImapTokenKind.List || match.Items.Count != 2)
            {
                throw ImapException.Bad("Expected (sequence-set uid-set)");
            }

            Arguments.Set(match.Items[0]);
            Arguments.Set(match.Items[1]);
            next++;
        }

        if (items.Count > next)
        {
            throw ImapException.Bad("Too many QRESYNC arguments");
        }

        return new QResyncParameters((uint)validity, modSeq, known);
    }

    /// <summary>A plain decimal number, as mod-sequence-value and nz-number are (RFC 7162 7).</summary>
    public static bool TryNumber(ImapToken token, out ulong value)
    {
        value = 0;
        return token.Kind == ImapTokenKind.Atom && token.Text.Length is > 0 and <= 20 && token.Text.All(char.IsAsciiDigit)
            && ulong.TryParse(token.Text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out value);
    }
}
