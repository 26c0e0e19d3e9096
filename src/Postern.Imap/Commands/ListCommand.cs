using System.Text;
using System.Text.RegularExpressions;
using Postern.Imap.Parsing;
using Postern.Imap.Session;
using Postern.Storage;

namespace Postern.Imap.Commands;

/// <summary>
/// LIST and LSUB (RFC 3501 6.3.8, 6.3.9) with SPECIAL-USE attributes (RFC 6154) and CHILDREN
/// (RFC 3348); LIST also takes the LIST-EXTENDED syntax (RFC 5258: selection options, several
/// patterns, RETURN options) and LIST-STATUS (RFC 5819).
/// </summary>
public sealed class ListCommand : IImapCommand
{
    private readonly bool _lsub;

    public ListCommand(bool lsub) => _lsub = lsub;

    public async Task ExecuteAsync(ImapSession session, ImapCommand command, CancellationToken ct)
    {
        var args = command.Args;
        var options = new ListOptions();
        int i = 0;
        if (!_lsub && args.Count > 0 && args[0].Kind == ImapTokenKind.List)
        {
            options.ParseSelection(args[0]);
            i++;
        }

        if (args.Count - i < 2)
        {
            throw ImapException.Bad("Wrong number of arguments");
        }

        string? reference = Pattern(session, args[i++], "a reference name");
        var patterns = new List<string?>();
        var patternToken = args[i++];
        if (!_lsub && patternToken.Kind == ImapTokenKind.List)
        {
            // "(" mbox-or-pat *(SP mbox-or-pat) ")" (RFC 5258 3).
            if (patternToken.Items.Count is 0 or > ListOptions.MaxPatterns)
            {
                throw ImapException.Bad("Expected one or more mailbox patterns");
            }

            patterns.AddRange(patternToken.Items.Select(p => Pattern(session, p, "a mailbox pattern")));
        }
        else
        {
            patterns.Add(Pattern(session, patternToken, "a mailbox pattern"));
        }

        if (!_lsub && i < args.Count && args[i].Kind == ImapTokenKind.Atom && args[i].Text.Equals("RETURN", StringComparison.OrdinalIgnoreCase)
            && i + 1 < args.Count && args[i + 1].Kind == ImapTokenKind.List)
        {
            options.ParseReturn(args[i + 1]);
            i += 2;
        }

        if (i != args.Count)
        {
            throw ImapException.Bad("Wrong number of arguments");
        }

        string verb = _lsub ? "LSUB" : "LIST";
        if (patterns.All(p => p is { Length: 0 }))
        {
            // An empty pattern asks for the hierarchy delimiter and the root (RFC 3501 6.3.8, RFC 5258 3.4).
            if (!_lsub)
            {
                session.Untagged("LIST (\\Noselect) \"/\" \"\"");
            }

            session.Ok(command.Tag, verb + " completed");
            return;
        }

        var regexes = reference is null ? [] : patterns.Where(p => p is { Length: > 0 }).Select(p => ToRegex(reference + p)).ToList();
        var boxes = await session.Store.ListMailboxesAsync(session.RequireAccount.Id, ct).ConfigureAwait(false);
        if (_lsub)
        {
            WriteLsub(session, boxes, regexes);
        }
        else
        {
            await WriteListAsync(session, boxes, regexes, options, ct).ConfigureAwait(false);
        }

        session.Ok(command.Tag, verb + " completed");
    }

    private static void WriteLsub(ImapSession session, IReadOnlyList<MailboxInfo> boxes, List<Regex> regexes)
    {
        var names = boxes.Select(b => b.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var box in Ordered(boxes))
        {
            if (box.Subscribed && regexes.Any(r => r.IsMatch(box.Name)))
            {
                session.Untagged($"LSUB ({string.Join(' ', Attributes(box, HasChildren(box.Name, names), subscribed: false))}) \"/\" {ImapText.Mailbox(session, box.Name)}");
            }
        }
    }

    private static async Task WriteListAsync(ImapSession session, IReadOnlyList<MailboxInfo> boxes, List<Regex> regexes, ListOptions options, CancellationToken ct)
    {
        var byName = boxes.ToDictionary(b => b.Name, StringComparer.Ordinal);

        // Names that only exist as parents of others (RFC 5258 \NonExistent); the store normally creates parents.
        var all = new SortedSet<string>(byName.Keys, StringComparer.Ordinal);
        foreach (var name in byName.Keys)
        {
            for (int slash = name.IndexOf('/'); slash > 0; slash = name.IndexOf('/', slash + 1))
            {
                all.Add(name[..slash]);
            }
        }

        bool Selected(MailboxInfo b) => (!options.SelectSubscribed || b.Subscribed) && (!options.SelectSpecialUse || b.SpecialUse is not null);
        bool showSubscribed = options.SelectSubscribed || options.ReturnSubscribed;
        string childInfo = options.SelectSubscribed ? "SUBSCRIBED" : "SPECIAL-USE";
        foreach (var name in all.OrderBy(n => n == "INBOX" ? "" : n, StringComparer.Ordinal))
        {
            if (!regexes.Any(r => r.IsMatch(name)))
            {
                continue;
            }

            byName.TryGetValue(name, out var box);
            bool self = box is not null && Selected(box);

            // RECURSIVEMATCH: a matching mailbox is also listed when a descendant meets the selection (RFC 5258 3.5).
            bool descendant = options.RecursiveMatch
                && byName.Values.Any(b => b.Name.StartsWith(name + "/", StringComparison.Ordinal) && Selected(b));
            if (options.HasSelection ? !(self || descendant) : box is null && !HasChildren(name, all))
            {
                continue;
            }

            List<string> attrs;
            if (box is null)
            {
                // \NonExistent implies \Noselect (RFC 5258 3.4); rev1 clients are told \Noselect too.
                attrs = ["\\NonExistent", "\\HasChildren"];
                if (!session.IsRev2)
                {
                    attrs.Insert(1, "\\Noselect");
                }
            }
            else
            {
                attrs = Attributes(box, HasChildren(name, all), showSubscribed && box.Subscribed);
            }

            string extra = descendant ? $" (\"CHILDINFO\" (\"{childInfo}\"))" : "";
            string mailbox = ImapText.Mailbox(session, name);
            session.Untagged($"LIST ({string.Join(' ', attrs)}) \"/\" {mailbox}{extra}");
            if (box is not null && options.StatusItems.Count > 0)
            {
                // LIST-STATUS: the STATUS of each listed selectable mailbox follows its LIST line (RFC 5819 2).
                session.Untagged($"STATUS {mailbox} {await StatusItems.FormatAsync(session, box, options.StatusItems, ct).ConfigureAwait(false)}");
            }
        }
    }

    /// <summary>
    /// A reference or pattern in the session's encoding; null when it is not valid modified UTF-7,
    /// for then it matches no name (every name encodes to valid modified UTF-7) and LIST answers OK
    /// with nothing, as Dovecot does, where SELECT of the same string gets NO.
    /// </summary>
    private static string? Pattern(ImapSession session, ImapToken token, string what)
    {
        string wire = Arguments.AString(token, what);
        return session.Utf8Names ? MailboxNames.CheckUtf8(wire) : ModifiedUtf7.TryDecode(wire, out string name) ? name : null;
    }

    private static IEnumerable<MailboxInfo> Ordered(IEnumerable<MailboxInfo> boxes) =>
        boxes.OrderBy(b => b.Name == "INBOX" ? "" : b.Name, StringComparer.Ordinal);

    private static bool HasChildren(string name, IEnumerable<string> names) =>
        names.Any(n => n.StartsWith(name + "/", StringComparison.Ordinal));

    private static List<string> Attributes(MailboxInfo box, bool children, bool subscribed)
    {
        var attrs = new List<string> { children ? "\\HasChildren" : "\\HasNoChildren" };
        if (subscribed)
        {
            attrs.Add("\\Subscribed");
        }

        if (box.SpecialUse is { } use)
        {
            attrs.Add(use);
        }

        return attrs;
    }

    /// <summary>
    /// "*" matches anything, "%" anything but the "/" delimiter (RFC 3501 6.3.8). INBOX matches in
    /// any case. The non-backtracking engine keeps hostile patterns ("*a*a*a*...") linear.
    /// </summary>
    public static Regex ToRegex(string pattern)
    {
        var sb = new StringBuilder("^");
        foreach (char c in pattern)
        {
            sb.Append(c switch
            {
                '*' => ".*",
                '%' => "[^/]*",
                _ => Regex.Escape(c.ToString()),
            });
        }

        sb.Append('$');
        string body = sb.ToString();
        // "inbox" and "InBoX" name the inbox; other names are case-sensitive.
        if (pattern.StartsWith("INBOX", StringComparison.OrdinalIgnoreCase))
        {
            body = "^(?i:INBOX)" + body[(1 + Regex.Escape("INBOX").Length)..];
        }

        return new Regex(body, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    }
}
