using System.Text;
using Postern.Imap.Parsing;
using Postern.Imap.Session;

namespace Postern.Imap.Commands;

/// <summary>
/// SEARCH and UID SEARCH (RFC 3501 6.4.4, RFC 9051 6.4.4) with ESEARCH result options
/// (RFC 4731), the saved result "$" (RFC 5182) and MODSEQ (RFC 7162 3.1.5).
/// </summary>
public sealed class SearchCommand : IImapCommand
{
    private readonly bool _byUid;

    public SearchCommand(bool byUid) => _byUid = byUid;

    public async Task ExecuteAsync(ImapSession session, ImapCommand command, CancellationToken ct)
    {
        bool saving = AsksToSave(command.Args);
        try
        {
            await RunAsync(session, command, ct).ConfigureAwait(false);
        }
        catch (Exception) when (saving && session.Selected is { } box)
        {
            // RFC 5182 2.1: a SEARCH that was to save its result and failed leaves "$" empty.
            SavedSearch.Clear(box);
            throw;
        }
    }

    private async Task RunAsync(ImapSession session, ImapCommand command, CancellationToken ct)
    {
        var args = command.Args;
        var options = ReturnOptions.None;
        bool extended = false;
        if (args.Count >= 1 && args[0].Kind == ImapTokenKind.Atom && args[0].Text.Equals("RETURN", StringComparison.OrdinalIgnoreCase))
        {
            if (args.Count < 2 || args[1].Kind != ImapTokenKind.List)
            {
                throw ImapException.Bad("RETURN needs a list of options");
            }

            options = ParseReturn(args[1]);
            extended = true;
            args = [.. args.Skip(2)];
        }
        else if (session.IsRev2)
        {
            // RFC 9051 6.4.4: IMAP4rev2 answers SEARCH with ESEARCH, and no RETURN means RETURN (ALL).
            options = ReturnOptions.All;
            extended = true;
        }

        if (args.Count >= 2 && args[0].Kind == ImapTokenKind.Atom && args[0].Text.Equals("CHARSET", StringComparison.OrdinalIgnoreCase))
        {
            SearchEngine.CheckCharset(Arguments.AString(args[1], "a charset"));
            args = [.. args.Skip(2)];
        }

        var key = SearchEngine.Parse(session, args);
        var box = session.RequireSelected;
        var matches = await SearchEngine.RunAsync(session, key, withHeaders: false, onMatch: null, ct).ConfigureAwait(false);
        bool modSeq = key.UsesModSeq;
        if (modSeq)
        {
            // RFC 7162 3.1: the MODSEQ search key is a CONDSTORE-enabling command.
            session.TurnOnCondStore();
        }

        uint Number(int index) => _byUid ? box.Messages[index].Uid : (uint)(index + 1);
        string done = (_byUid ? "UID " : "") + "SEARCH completed";
        if (!extended)
        {
            var line = new StringBuilder("SEARCH");
            foreach (int i in matches)
            {
                line.Append(' ').Append(Number(i));
            }

            // RFC 7162 3.1.5: the highest MODSEQ of the found messages; nothing when none was found.
            if (modSeq && matches.Count > 0)
            {
                line.Append(" (MODSEQ ").Append(matches.Max(i => box.Messages[i].ModSeq)).Append(')');
            }

            session.Untagged(line.ToString());
            session.Ok(command.Tag, done);
            return;
        }

        if ((options & ReturnOptions.Save) != 0)
        {
            // RFC 5182 2.4: with MIN and/or MAX but neither ALL nor COUNT, only those are saved.
            bool onlyEnds = (options & (ReturnOptions.All | ReturnOptions.Count)) == 0
                && (options & (ReturnOptions.Min | ReturnOptions.Max)) != 0;
            SavedSearch.Save(box, onlyEnds ? Ends(matches, options) : matches);
        }

        // RFC 5182 2.1: SAVE alone returns no ESEARCH response.
        if ((options & ~ReturnOptions.Save) != 0)
        {
            session.Untagged(Esearch(command.Tag, _byUid, options, matches, Number, modSeq ? i => box.Messages[i].ModSeq : null));
        }

        session.Ok(command.Tag, done);
    }

    /// <summary>The ESEARCH response (RFC 4731 3): empty results carry only COUNT 0, if asked for.</summary>
    internal static string Esearch(string tag, bool byUid, ReturnOptions options, List<int> matches, Func<int, uint> number, Func<int, ulong>? modSeq)
    {
        var line = new StringBuilder("ESEARCH (TAG \"").Append(tag).Append("\")");
        if (byUid)
        {
            line.Append(" UID");
        }

        if (matches.Count > 0)
        {
            if ((options & ReturnOptions.Min) != 0)
            {
                line.Append(" MIN ").Append(number(matches[0]));
            }

            if ((options & ReturnOptions.Max) != 0)
            {
                line.Append(" MAX ").Append(number(matches[^1]));
            }
        }

        if ((options & ReturnOptions.Count) != 0)
        {
            line.Append(" COUNT ").Append(matches.Count);
        }

        if (matches.Count > 0 && (options & ReturnOptions.All) != 0)
        {
            line.Append(" ALL ").Append(SequenceSet.Format(matches.Select(number)));
        }

        if (modSeq is not null && matches.Count > 0)
        {
            // RFC 7162 3.1.5: the highest MODSEQ of the messages this response reports.
            var reported = (options & (ReturnOptions.All | ReturnOptions.Count)) != 0 ? matches : Ends(matches, options);
            line.Append(" MODSEQ ").Append(reported.Max(modSeq));
        }

        return line.ToString();
    }

    private static List<int> Ends(List<int> matches, ReturnOptions options)
    {
        var ends = new List<int>(2);
        if (matches.Count > 0 && (options & ReturnOptions.Min) != 0)
        {
            ends.Add(matches[0]);
        }

        if (matches.Count > 0 && (options & ReturnOptions.Max) != 0 && (ends.Count == 0 || ends[0] != matches[^1]))
        {
            ends.Add(matches[^1]);
        }

        return ends;
    }

    /// <summary>search-return-opts (RFC 4731 3, RFC 5182 4): an empty list means ALL.</summary>
    private static ReturnOptions ParseReturn(ImapToken list)
    {
        var options = ReturnOptions.None;
        foreach (var item in list.Items)
        {
            if (item.Kind != ImapTokenKind.Atom)
            {
                throw ImapException.Bad("Invalid RETURN option");
            }

            options |= item.Text.ToUpperInvariant() switch
            {
                "MIN" => ReturnOptions.Min,
                "MAX" => ReturnOptions.Max,
                "ALL" => ReturnOptions.All,
                "COUNT" => ReturnOptions.Count,
                "SAVE" => ReturnOptions.Save,
                _ => throw ImapException.Bad("Unknown RETURN option"),
            };
        }

        return options == ReturnOptions.None ? ReturnOptions.All : options;
    }

    /// <summary>Whether the command asked for SAVE, looked up before anything can fail.</summary>
    private static bool AsksToSave(IReadOnlyList<ImapToken> args) =>
        args.Count >= 2
        && args[0].Kind == ImapTokenKind.Atom
        && args[0].Text.Equals("RETURN", StringComparison.OrdinalIgnoreCase)
        && args[1].Kind == ImapTokenKind.List
        && args[1].Items.Any(i => i.Kind == ImapTokenKind.Atom && i.Text.Equals("SAVE", StringComparison.OrdinalIgnoreCase));
}

/// <summary>The ESEARCH result options (RFC 4731 3.1) and SAVE (RFC 5182 2.1).</summary>
[Flags]
public enum ReturnOptions
{
    None = 0,
    Min = 1,
    Max = 2,
    All = 4,
    Count = 8,
    Save = 16,
}
