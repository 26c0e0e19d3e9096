using Postern.Imap.Parsing;
using Postern.Imap.Session;

namespace Postern.Imap.Commands;

/// <summary>CAPABILITY (RFC 3501 6.1.1).</summary>
public sealed class CapabilityCommand : IImapCommand
{
    public Task ExecuteAsync(ImapSession session, ImapCommand command, CancellationToken ct)
    {
        Arguments.Count(command, 0, 0);
        session.Untagged("CAPABILITY " + session.Capabilities);
        session.Ok(command.Tag, "CAPABILITY completed");
        return Task.CompletedTask;
    }
}
