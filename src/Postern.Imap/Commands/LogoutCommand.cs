using Postern.Imap.Parsing;
using Postern.Imap.Session;

namespace Postern.Imap.Commands;

/// <summary>LOGOUT (RFC 3501 6.1.3): untagged BYE, then the tagged OK, then the server closes.</summary>
public sealed class LogoutCommand : IImapCommand
{
    public Task ExecuteAsync(ImapSession session, ImapCommand command, CancellationToken ct)
    {
        Arguments.Count(command, 0, 0);
        session.Untagged("BYE Postern logging out");
        session.Ok(command.Tag, "LOGOUT completed");
        session.State = ImapState.Logout;
        return Task.CompletedTask;
    }
}
