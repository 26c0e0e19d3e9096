using System.Text;
using MimeKit;
using MimeKit.Utils;
using Postern.Imap.Mime;
using Postern.Imap.Parsing;
using Postern.Imap.Session;
using Postern.Storage;

namespace Postern.Imap.Commands;

/// <summary>
/// Evaluates a SEARCH program against the selected mailbox, shared by SEARCH, SORT and THREAD.
/// Messages are read one at a time and only as far as the program needs: nothing for flags,
/// sizes and dates, the header block for header keys, the whole message only for BODY and TEXT.
/// </summary>
internal static class SearchEngine
{
    /// <summary>RFC 3501 6.4.4: the charsets we accept; others get NO [BADCHARSET (...)].</summary>
    public static void CheckCharset(string charset)
    {
        if (!charset.Equals("UTF-8", StringComparison.OrdinalIgnoreCase) && !charset.Equals("US-ASCII", StringComparison.OrdinalIgnoreCase))
        {
            throw ImapException.No("[BADCHARSET (UTF-8 US-ASCII)] Unsupported charset");
        }
    }

    /// <summary>Parses search keys; syntax errors become BAD.</summary>
    public static SearchKey Parse(ImapSession session, IReadOnlyList<ImapToken> args)
    {
        try
        {
            return SearchParser.Parse(args, session.Options.MaxNestingDepth);
        }
        catch (SearchParser.SearchSyntaxException e)
        {
            throw ImapException.Bad(e.Message);
        }
    }

    /// <summary>
    /// Returns the indexes (MSN - 1) of matching messages, ascending. When <paramref name="onMatch"/>
    /// is given and <paramref name="withHeaders"/> is set, it gets each match with its header block
    /// (or the whole message when the program needed that anyway) and the message is not kept.
    /// </summary>
    public static async Task<List<int>> RunAsync(
        ImapSession session, SearchKey key, bool withHeaders, Action<int, ParsedMessage?>? onMatch, CancellationToken ct)
    {
        var box = session.RequireSelected;
        var context = new Context(box, DateTimeOffset.UtcNow);
        bool needsContent = key.NeedsContent;
        bool needsBody = key.NeedsBody;
        var matches = new List<int>();
        for (int i = 0; i < box.Messages.Count; i++)
        {
            var msg = box.Messages[i];
            ParsedMessage? pm = null;
            if (needsBody)
            {
                pm = await MessageLoader.LoadAsync(session, msg.Uid, ct).ConfigureAwait(false);
            }
            else if (needsContent && await MessageLoader.ReadHeaderAsync(session, msg.Uid, ct).ConfigureAwait(false) is { } header)
            {
                // Most messages fail a header search; rule those out without parsing them.
                if (HeaderPrefilter.Excludes(key, header.Span))
                {
                    continue;
                }

                pm = ParsedMessage.Parse(header.ToArray());
            }

            if (!Matches(key, context, i + 1, msg, pm, 0))
            {
                continue;
            }

            matches.Add(i);
            if (onMatch is not null)
            {
                if (withHeaders && pm is null)
                {
                    pm = await MessageLoader.LoadHeaderAsync(session, msg.Uid, ct).ConfigureAwait(false);
                }

                onMatch(i, pm);
            }
        }

        return matches;
    }

    /// <summary>Resolved sequence sets, computed once per search.</summary>
    private sealed class Context(SelectedMailbox box, DateTimeOffset now)
    {
        private readonly Dictionary<SearchKey, List<(uint From, uint To)>> _resolved = new(ReferenceEqualityComparer.Instance);

        public DateTimeOffset Now { get; } = now;

        public SelectedMailbox Box => box;

        public List<(uint From, uint To)> Resolve(SearchKey key) =>
            _resolved.TryGetValue(key, out var r)
                ? r
                : _resolved[key] = key.Set!.IsSaved
                    // "$" names messages, whichever way it is written (RFC 5182 2.1): kept as UIDs.
                    ? SavedSearch.Get(box)
                    : key.Set.Resolve(key.Kind == SearchKind.UidSet ? box.MaxUid : (uint)box.Messages.Count);
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
                return true;

            // \Recent as this session has it; a rev2 session has none, so all are OLD (RFC 3501 6.4.4).
            case SearchKind.Old:
                return !context.Box.IsRecent(msg.Uid);
            case SearchKind.New:
                return context.Box.IsRecent(msg.Uid) && !msg.Flags.HasFlag(MessageFlags.Seen);
            case SearchKind.Recent:
                return context.Box.IsRecent(msg.Uid);
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
                return key.Set!.IsSaved
                    ? SequenceSet.Contains(context.Resolve(key), msg.Uid)
                    : SequenceSet.Contains(context.Resolve(key), (uint)msn);
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
            case SearchKind.ModSeq:
                return msg.ModSeq >= (ulong)key.Number;
            case SearchKind.Older:
                return (context.Now - msg.InternalDate).TotalSeconds > key.Number;
            case SearchKind.Younger:
                return (context.Now - msg.InternalDate).TotalSeconds <= key.Number;
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
            case SearchKind.Address:
                return HeaderMatches(m, key.Field, key.Value) || AddressMatches(m, key.Field, key.Value);
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
            // An empty value matches every message that has the field (RFC 3501 6.4.4 HEADER).
            if (header.Field.Equals(field, StringComparison.OrdinalIgnoreCase)
                && (value.Length == 0 || header.Value.Contains(value, StringComparison.OrdinalIgnoreCase)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// RFC 3501 6.4.4 FROM/TO/CC/BCC look in the envelope's address structure: the parsed addresses,
    /// where white space, quoting and comments inside an address are gone (RFC 5322 3.4.1), so
    /// "a (x)@ b.org" is found as "a@b.org". Each display name (MimeKit takes a trailing comment
    /// for one), group name and addr-spec is matched on its own, as Dovecot matches addresses.
    /// </summary>
    private static bool AddressMatches(MimeMessage m, string field, string value)
    {
        if (value.Length == 0)
        {
            return false;
        }

        var list = field switch
        {
            "FROM" => m.From,
            "TO" => m.To,
            "CC" => m.Cc,
            _ => m.Bcc,
        };

        // Groups nest at most ParserOptions.MaxAddressGroupDepth (3) levels: the walk is bounded.
        var pending = new Stack<InternetAddress>(list);
        while (pending.Count > 0)
        {
            var address = pending.Pop();
            if (address.Name?.Contains(value, StringComparison.OrdinalIgnoreCase) == true
                || (address is MailboxAddress mailbox && AddrSpec(mailbox).Contains(value, StringComparison.OrdinalIgnoreCase)))
            {
                return true;
            }

            if (address is GroupAddress group)
            {
                foreach (var member in group.Members)
                {
                    pending.Push(member);
                }
            }
        }

        return false;
    }

    /// <summary>local-part@domain with a quoted local part unquoted (MimeKit keeps the quotes): "a"@b is a@b.</summary>
    private static string AddrSpec(MailboxAddress mailbox) =>
        string.IsNullOrEmpty(mailbox.Domain) ? MimeUtils.Unquote(mailbox.LocalPart) : MimeUtils.Unquote(mailbox.LocalPart) + "@" + mailbox.Domain;

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
