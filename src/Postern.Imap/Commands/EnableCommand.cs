using Postern.Imap.Parsing;
using Postern.Imap.Session;

namespace Postern.Imap.Commands;

/// <summary>
/// ENABLE (RFC 5161): turns on what <see cref="Enableable.Names"/> lists. "* ENABLED" names only
/// what this command newly enabled; unknown capabilities are ignored as RFC 5161 3.1 requires.
/// </summary>
public sealed class EnableCommand : IImapCommand
{
    /// <summary>A bound on the argument list; real clients name two or three extensions.</summary>
    private const int MaxCapabilities = 32;

    public Task ExecuteAsync(ImapSession session, ImapCommand command, CancellationToken ct)
    {
        Arguments.Count(command, 1, MaxCapabilities);
        var newly = new List<string>();
        foreach (var arg in command.Args)
        {
            if (arg.Kind != ImapTokenKind.Atom)
            {
                throw ImapException.Bad("Expected capability names");
            }

            if (Enableable.Names.TryGetValue(arg.Text, out var extension) && (session.Enabled & extension) != extension)
            {
                bool hadCondStore = session.IsCondStore;
                session.Enabled |= extension;
                newly.Add(Enableable.Canonical(arg.Text));
                if (!hadCondStore && session.IsCondStore)
                {
                    // RFC 7162 3.1: a mailbox selected before CONDSTORE came on learns its HIGHESTMODSEQ now.
                    session.AnnounceHighestModSeq();
                }
            }
        }

        session.Untagged(newly.Count == 0 ? "ENABLED" : "ENABLED " + string.Join(' ', newly));
        session.Ok(command.Tag, "ENABLE completed");
        return Task.CompletedTask;
    }
}
