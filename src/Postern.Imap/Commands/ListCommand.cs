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

            options.Extended = true;

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
        // Subscriptions are names that may outlive their mailbox (RFC 3501 6.3.6).
        var subscribed = _lsub || options.SelectSubscribed
            ? await session.Store.ListSubscriptionsAsync(session.RequireAccount.Id, ct).ConfigureAwait(false)
            : [];
        if (_lsub)
        {
            WriteLsub(session, boxes, subscribed, regexes);
        }
        else
        {
            await WriteListAsync(session, boxes, subscribed, regexes, options, ct).ConfigureAwait(false);
        }

        session.Ok(command.Tag, verb + " completed");
    }

    /// <summary>
    /// LSUB (RFC 3501 6.3.9): the subscribed names that match, existing or not. A subscribed name the
    /// pattern does not reach (a "%" stops at "/") brings its unsubscribed parents that it does
    /// reach, flagged \Noselect ("not subscribed, but children are"). LSUB lists names, not
    /// mailboxes, so no CHILDREN attributes; special-use stays.
    /// </summary>
    private static void WriteLsub(ImapSession session, IReadOnlyList<MailboxInfo> boxes, IReadOnlyList<string> subscribed, List<Regex> regexes)
    {
        var byName = boxes.ToDictionary(b => b.Name, StringComparer.Ordinal);
        var isSubscribed = subscribed.ToHashSet(StringComparer.Ordinal);
        var listed = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (string name in subscribed)
        {
            if (regexes.Any(r => r.IsMatch(name)))
            {
                listed[name] = false;
                continue;
            }

            foreach (string parent in Ancestors(name))
            {
                if (!isSubscribed.Contains(parent) && regexes.Any(r => r.IsMatch(parent)))
                {
                    listed.TryAdd(parent, true);
                }
            }
        }

        foreach (var (name, noselect) in listed.OrderBy(l => l.Key == "INBOX" ? "" : l.Key, StringComparer.Ordinal))
        {
            string? attr = noselect ? "\\Noselect" : byName.GetValueOrDefault(name)?.SpecialUse;
            session.Untagged($"LSUB ({attr}) \"/\" {ImapText.Mailbox(session, name)}");
        }
    }

    /// <summary>
    /// LIST with the LIST-EXTENDED rules (RFC 5258 3.3): a name is listed when it matches and meets
    /// the selection, or (RECURSIVEMATCH) when a descendant meets it without matching a pattern
    /// itself, which earns CHILDINFO (3.5). The SUBSCRIBED selection also lists subscribed names
    /// without a mailbox, as \NonExistent (3.1).
    /// </summary>
    private static async Task WriteListAsync(ImapSession session, IReadOnlyList<MailboxInfo> boxes, IReadOnlyList<string> subscribed, List<Regex> regexes, ListOptions options, CancellationToken ct)
    {
        var byName = boxes.ToDictionary(b => b.Name, StringComparer.Ordinal);
        var isSubscribed = subscribed.ToHashSet(StringComparer.Ordinal);

        // Every name that may be listed: the mailboxes, subscribed names under SUBSCRIBED, and
        // their parents (RFC 5258 \NonExistent; the store normally creates parents).
        var all = new SortedSet<string>(byName.Keys, StringComparer.Ordinal);
        all.UnionWith(isSubscribed);
        foreach (string name in all.ToList())
        {
            all.UnionWith(Ancestors(name));
        }

        bool Selected(string name) => (!options.SelectSubscribed || isSubscribed.Contains(name))
            && (!options.SelectSpecialUse || byName.GetValueOrDefault(name)?.SpecialUse is not null)
            && (options.SelectSubscribed || byName.ContainsKey(name));
        bool Matches(string name) => regexes.Any(r => r.IsMatch(name));

        // Names meeting the selection that no pattern reaches: only they earn a parent CHILDINFO.
        var unlisted = options.RecursiveMatch ? all.Where(n => Selected(n) && !Matches(n)).ToList() : [];
        bool showSubscribed = options.SelectSubscribed || options.ReturnSubscribed;
        string childInfo = options.SelectSubscribed ? "SUBSCRIBED" : "SPECIAL-USE";
        foreach (var name in all.OrderBy(n => n == "INBOX" ? "" : n, StringComparer.Ordinal))
        {
            if (!Matches(name))
            {
                continue;
            }

            byName.TryGetValue(name, out var box);
            bool self = Selected(name);
            bool descendant = unlisted.Any(n => n.StartsWith(name + "/", StringComparison.Ordinal));
            bool children = HasChildren(name, byName.Keys);
            if (options.HasSelection ? !(self || descendant) : box is null && !children)
            {
                continue;
            }

            List<string> attrs;
            if (box is null)
            {
                attrs = [children ? "\\HasChildren" : "\\HasNoChildren"];
                if (showSubscribed && isSubscribed.Contains(name))
                {
                    attrs.Add("\\Subscribed");
                }

                // \NonExistent implies \Noselect (RFC 5258 3.4); a plain rev1 LIST is told \Noselect too.
                attrs.Add("\\NonExistent");
                if (!session.IsRev2 && !options.Extended)
                {
                    attrs.Add("\\Noselect");
                }
            }
            else
            {
                attrs = Attributes(box, children, showSubscribed && box.Subscribed);
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

    /// <summary>"a", "a/b" for "a/b/c".</summary>
    private static IEnumerable<string> Ancestors(string name)
    {
        for (int slash = name.IndexOf('/'); slash > 0; slash = name.IndexOf('/', slash + 1))
        {
            yield return name[..slash];
        }
    }

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
