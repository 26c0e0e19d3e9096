using System.Text;
using System.Text.RegularExpressions;
using Postern.Imap.Parsing;
using Postern.Imap.Session;

namespace Postern.Imap.Commands;

/// <summary>LIST and LSUB (RFC 3501 6.3.8, 6.3.9) with SPECIAL-USE attributes (RFC 6154) and CHILDREN (RFC 3348).</summary>
public sealed class ListCommand : IImapCommand
{
    private readonly bool _lsub;

    public ListCommand(bool lsub) => _lsub = lsub;

    public async Task ExecuteAsync(ImapSession session, ImapCommand command, CancellationToken ct)
    {
        Arguments.Count(command, 2, 2);
        string reference = Arguments.Utf7(Arguments.AString(command.Args[0], "a reference name"));
        string pattern = Arguments.Utf7(Arguments.AString(command.Args[1], "a mailbox pattern"));
        string verb = _lsub ? "LSUB" : "LIST";
        if (pattern.Length == 0)
        {
            // An empty pattern asks for the hierarchy delimiter and the root (RFC 3501 6.3.8).
            if (!_lsub)
            {
                session.Untagged("LIST (\\Noselect) \"/\" \"\"");
            }

            session.Ok(command.Tag, verb + " completed");
            return;
        }

        var regex = ToRegex(reference + pattern);
        var boxes = await session.Store.ListMailboxesAsync(session.RequireAccount.Id, ct).ConfigureAwait(false);
        var names = boxes.Select(b => b.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var box in boxes.OrderBy(b => b.Name == "INBOX" ? "" : b.Name, StringComparer.Ordinal))
        {
            if ((_lsub && !box.Subscribed) || !regex.IsMatch(box.Name))
            {
                continue;
            }

            bool children = names.Any(n => n.StartsWith(box.Name + "/", StringComparison.Ordinal));
            var attrs = new List<string> { children ? "\\HasChildren" : "\\HasNoChildren" };
            if (box.SpecialUse is { } use)
            {
                attrs.Add(use);
            }

            session.Untagged($"{verb} ({string.Join(' ', attrs)}) \"/\" {ImapText.Mailbox(box.Name)}");
        }

        session.Ok(command.Tag, verb + " completed");
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
