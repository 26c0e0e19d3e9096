using Postern.Imap.Parsing;
using Postern.Imap.Session;

namespace Postern.Imap.Commands;

/// <summary>UNSELECT (RFC 3691): like CLOSE but never expunges.</summary>
public sealed class UnselectCommand : IImapCommand
{
    public Task ExecuteAsync(ImapSession session, ImapCommand command, CancellationToken ct)
    {
        Arguments.Count(command, 0, 0);
        session.Deselect();
        session.Ok(command.Tag, "UNSELECT completed");
        return Task.CompletedTask;
    }
}
