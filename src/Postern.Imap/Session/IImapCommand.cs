using Postern.Imap.Parsing;

namespace Postern.Imap.Session;

/// <summary>
/// One command (or a small family such as SELECT/EXAMINE). It writes its own untagged and tagged
/// OK responses and throws <see cref="ImapException"/> for BAD/NO.
/// </summary>
public interface IImapCommand
{
    Task ExecuteAsync(ImapSession session, ImapCommand command, CancellationToken ct);
}
