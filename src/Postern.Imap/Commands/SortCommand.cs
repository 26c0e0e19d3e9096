using System.Text;
using Postern.Imap.Parsing;
using Postern.Imap.Session;
using Postern.Imap.Threading;

namespace Postern.Imap.Commands;

/// <summary>
/// SORT and UID SORT (RFC 5256 3), with DISPLAYFROM and DISPLAYTO (RFC 5957). Only header blocks
/// are read, and only when a key needs them; each is reduced to a few strings at once.
/// </summary>
public sealed class SortCommand : IImapCommand
{
    private readonly bool _byUid;

    public SortCommand(bool byUid) => _byUid = byUid;

    public async Task ExecuteAsync(ImapSession session, ImapCommand command, CancellationToken ct)
    {
        var args = command.Args;
        if (args.Count < 3)
        {
            throw ImapException.Bad("SORT needs sort criteria, a charset and search criteria");
        }

        if (!SortCriteria.TryParse(args[0], out var criteria, out string error))
        {
            throw ImapException.Bad(error);
        }

        SearchEngine.CheckCharset(Arguments.AString(args[1], "a charset"));
        var key = SearchEngine.Parse(session, [.. args.Skip(2)]);
        var box = session.RequireSelected;
        bool needsHeaders = criteria.Any(c => c.Field is not (SortField.Arrival or SortField.Size));
        var rows = new List<MessageFacts>();
        await SearchEngine.RunAsync(
            session,
            key,
            needsHeaders,
            (i, pm) => rows.Add(MessageFacts.Create(i, _byUid ? box.Messages[i].Uid : (uint)(i + 1), box.Messages[i], pm?.Message, withReferences: false)),
            ct).ConfigureAwait(false);

        rows.Sort(new RowComparer(criteria));
        var line = new StringBuilder("SORT");
        foreach (var r in rows)
        {
            line.Append(' ').Append(r.Number);
        }

        if (key.UsesModSeq)
        {
            session.TurnOnCondStore();
            if (rows.Count > 0)
            {
                // RFC 7162 3.1.5 applies to SORT as to SEARCH.
                line.Append(" (MODSEQ ").Append(rows.Max(r => r.Info.ModSeq)).Append(')');
            }
        }

        session.Untagged(line.ToString());
        session.Ok(command.Tag, (_byUid ? "UID " : "") + "SORT completed");
    }

    /// <summary>Compares by each key in turn; equal messages keep mailbox order (RFC 5256 3).</summary>
    private sealed class RowComparer(List<SortCriterion> criteria) : IComparer<MessageFacts>
    {
        public int Compare(MessageFacts? x, MessageFacts? y)
        {
            foreach (var c in criteria)
            {
                int d = c.Field switch
                {
                    SortField.Arrival => x!.Info.InternalDate.UtcDateTime.CompareTo(y!.Info.InternalDate.UtcDateTime),
                    SortField.Date => x!.SentDate.UtcDateTime.CompareTo(y!.SentDate.UtcDateTime),
                    SortField.Size => x!.Info.Size.CompareTo(y!.Info.Size),
                    SortField.Subject => BaseSubject.Comparer.Compare(x!.BaseSubject, y!.BaseSubject),
                    SortField.From => BaseSubject.Comparer.Compare(x!.From, y!.From),
                    SortField.To => BaseSubject.Comparer.Compare(x!.To, y!.To),
                    SortField.Cc => BaseSubject.Comparer.Compare(x!.Cc, y!.Cc),
                    // RFC 5957 asks for i;unicode-casemap; ordinal case-insensitive comes close.
                    SortField.DisplayFrom => StringComparer.OrdinalIgnoreCase.Compare(x!.DisplayFrom, y!.DisplayFrom),
                    _ => StringComparer.OrdinalIgnoreCase.Compare(x!.DisplayTo, y!.DisplayTo),
                };
                if (d != 0)
                {
                    return c.Reverse ? -d : d;
                }
            }

            return x!.Index.CompareTo(y!.Index);
        }
    }
}
