using System.Text;
using MimeKit;
using Postern.Imap.Mime;
using Postern.Imap.Parsing;
using Postern.Imap.Session;
using Postern.Storage;

namespace Postern.Imap.Commands;

/// <summary>SEARCH and UID SEARCH (RFC 3501 6.4.4, 6.4.8).</summary>
public sealed class SearchCommand : IImapCommand
{
    private readonly bool _byUid;

    public SearchCommand(bool byUid) => _byUid = byUid;

    public async Task ExecuteAsync(ImapSession session, ImapCommand command, CancellationToken ct)
    {
        var args = command.Args;
        if (args.Count >= 2 && args[0].Kind == ImapTokenKind.Atom && args[0].Text.Equals("CHARSET", StringComparison.OrdinalIgnoreCase))
        {
            string charset = Arguments.AString(args[1], "a charset");
            if (!charset.Equals("UTF-8", StringComparison.OrdinalIgnoreCase) && !charset.Equals("US-ASCII", StringComparison.OrdinalIgnoreCase))
            {
                throw ImapException.No("[BADCHARSET (UTF-8 US-ASCII)] Unsupported charset");
            }

            args = [.. args.Skip(2)];
        }

        SearchKey key;
        try
        {
            key = SearchParser.Parse(args, session.Options.MaxNestingDepth);
        }
        catch (SearchParser.SearchSyntaxException e)
        {
            throw ImapException.Bad(e.Message);
        }

        var box = session.RequireSelected;
        var context = new Context(box);
        bool needsContent = key.NeedsContent;
        bool needsBody = key.NeedsBody;
        var result = new StringBuilder("SEARCH");
        for (int i = 0; i < box.Messages.Count; i++)
        {
            var msg = box.Messages[i];
            ParsedMessage? pm = null;
            if (needsContent)
            {
                pm = needsBody
                    ? await MessageLoader.LoadAsync(session, msg.Uid, ct).ConfigureAwait(false)
                    : await MessageLoader.LoadHeaderAsync(session, msg.Uid, ct).ConfigureAwait(false);
            }

            if (Matches(key, context, i + 1, msg, pm, 0))
            {
                result.Append(' ').Append(_byUid ? msg.Uid : (uint)(i + 1));
            }
        }

        session.Untagged(result.ToString());
        session.Ok(command.Tag, (_byUid ? "UID " : "") + "SEARCH completed");
    }

    /// <summary>Resolved sequence sets, computed once per search.</summary>
    private sealed class Context(SelectedMailbox box)
    {
        private readonly Dictionary<SearchKey, List<(uint From, uint To)>> _resolved = new(ReferenceEqualityComparer.Instance);

        public List<(uint From, uint To)> Resolve(SearchKey key) =>
            _resolved.TryGetValue(key, out var r)
                ? r
                : _resolved[key] = key.Set!.Resolve(key.Kind == SearchKind.UidSet ? box.MaxUid : (uint)box.Messages.Count);
    }

    /// <summary>Evaluates a key tree; its depth was bounded by the parser, and <paramref name="depth"/> guards it again.</summary>
    private static bool Matches(SearchKey key, Context context, int msn, MessageInfo msg, ParsedMessage? pm, int depth)
    {
        if (depth > 256)
        {
            return false;
        }

        switch (key.Kind)
        {
            case SearchKind.All:
            case SearchKind.Old:
                // \Recent is not kept (RFC 9051 dropped it): nothing is recent, so everything is old.
                return true;
            case SearchKind.New:
            case SearchKind.Recent:
                return false;
            case SearchKind.And:
                return key.Children.All(c => Matches(c, context, msn, msg, pm, depth + 1));
            case SearchKind.Or:
                return Matches(key.Children[0], context, msn, msg, pm, depth + 1) || Matches(key.Children[1], context, msn, msg, pm, depth + 1);
            case SearchKind.Not:
                return !Matches(key.Children[0], context, msn, msg, pm, depth + 1);
            case SearchKind.FlagSet:
                return msg.Flags.HasFlag(key.Flag);
            case SearchKind.FlagClear:
                return !msg.Flags.HasFlag(key.Flag);
            case SearchKind.Keyword:
                return msg.Keywords.Contains(key.Value, StringComparer.OrdinalIgnoreCase);
            case SearchKind.Unkeyword:
                return !msg.Keywords.Contains(key.Value, StringComparer.OrdinalIgnoreCase);
            case SearchKind.SequenceSet:
                return SequenceSet.Contains(context.Resolve(key), (uint)msn);
            case SearchKind.UidSet:
                return SequenceSet.Contains(context.Resolve(key), msg.Uid);
            case SearchKind.Larger:
                return msg.Size > key.Number;
            case SearchKind.Smaller:
                return msg.Size < key.Number;
            case SearchKind.Before:
                return InternalDay(msg) < key.Date;
            case SearchKind.On:
                return InternalDay(msg) == key.Date;
            case SearchKind.Since:
                return InternalDay(msg) >= key.Date;
        }

        if (pm is null)
        {
            return false;
        }

        var m = pm.Message;
        switch (key.Kind)
        {
            case SearchKind.Header:
                return HeaderMatches(m, key.Field, key.Value);
            case SearchKind.Body:
                return BodyMatches(m, key.Value);
            case SearchKind.Text:
                return HeaderText(m).Contains(key.Value, StringComparison.OrdinalIgnoreCase) || BodyMatches(m, key.Value);
            case SearchKind.SentBefore:
            case SearchKind.SentOn:
            case SearchKind.SentSince:
            {
                if (!m.Headers.Contains(HeaderId.Date))
                {
                    return false;
                }

                // The date of the Date: header, disregarding time and timezone (RFC 3501 6.4.4).
                var day = DateOnly.FromDateTime(m.Date.DateTime);
                return key.Kind switch
                {
                    SearchKind.SentBefore => day < key.Date,
                    SearchKind.SentOn => day == key.Date,
                    _ => day >= key.Date,
                };
            }
        }

        return false;
    }

    /// <summary>The internal date's own calendar day, disregarding time and timezone (RFC 3501 6.4.4).</summary>
    private static DateOnly InternalDay(MessageInfo msg) => DateOnly.FromDateTime(msg.InternalDate.DateTime);

    private static bool HeaderMatches(MimeMessage m, string field, string value)
    {
        foreach (var header in m.Headers)
        {
            if (header.Field.Equals(field, StringComparison.OrdinalIgnoreCase)
                && (value.Length == 0 || header.Value.Contains(value, StringComparison.OrdinalIgnoreCase)))
            {
                return true;
            }
        }

        return false;
    }

    private static string HeaderText(MimeMessage m)
    {
        var sb = new StringBuilder();
        foreach (var header in m.Headers)
        {
            sb.Append(header.Field).Append(": ").Append(header.Value).Append('\n');
        }

        return sb.ToString();
    }

    private static bool BodyMatches(MimeMessage m, string value)
    {
        foreach (var part in m.BodyParts)
        {
            if (part is TextPart text && text.Text.Contains(value, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
