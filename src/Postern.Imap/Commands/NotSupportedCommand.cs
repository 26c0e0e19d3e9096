using Postern.Imap.Parsing;
using Postern.Imap.Session;

namespace Postern.Imap.Commands;

/// <summary>
/// RFC 3501 commands the store cannot serve yet (CREATE, DELETE, RENAME, APPEND): a clear NO
/// instead of "unknown command", so clients report a refusal rather than a protocol error.
/// </summary>
public sealed class NotSupportedCommand : IImapCommand
{
    public Task ExecuteAsync(ImapSession session, ImapCommand command, CancellationToken ct) =>
        throw ImapException.No("[CANNOT] " + command.Name + " is not supported yet");
}
