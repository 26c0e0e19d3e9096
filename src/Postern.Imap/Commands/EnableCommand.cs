using Postern.Imap.Parsing;
using Postern.Imap.Session;

namespace Postern.Imap.Commands;

/// <summary>
/// ENABLE (RFC 5161): nothing we implement needs enabling yet (no CONDSTORE, no UTF8=ACCEPT), so
/// "* ENABLED" lists nothing; unknown capabilities are ignored as RFC 5161 3.1 requires.
/// </summary>
public sealed class EnableCommand : IImapCommand
{
    /// <summary>A bound on the argument list; real clients name two or three extensions.</summary>
    private const int MaxCapabilities = 32;

    public Task ExecuteAsync(ImapSession session, ImapCommand command, CancellationToken ct)
    {
        Arguments.Count(command, 1, MaxCapabilities);
        foreach (var arg in command.Args)
        {
            if (arg.Kind != ImapTokenKind.Atom)
            {
                throw ImapException.Bad("Expected capability names");
            }
        }

        session.Untagged("ENABLED");
        session.Ok(command.Tag, "ENABLE completed");
        return Task.CompletedTask;
    }
}
