using Postern.Imap.Parsing;
using Postern.Imap.Session;

namespace Postern.Imap.Commands;

/// <summary>NAMESPACE (RFC 2342): one personal namespace with prefix "" and delimiter "/", no shared or other users' ones.</summary>
public sealed class NamespaceCommand : IImapCommand
{
    public Task ExecuteAsync(ImapSession session, ImapCommand command, CancellationToken ct)
    {
        Arguments.Count(command, 0, 0);
        session.Untagged("NAMESPACE ((\"\" \"/\")) NIL NIL");
        session.Ok(command.Tag, "NAMESPACE completed");
        return Task.CompletedTask;
    }
}
