namespace Postern.Imap.Session;

/// <summary>
/// Wraps a command that takes a sequence set so that "$" (RFC 5182) resolves inside it: as UIDs
/// for the UID variants, as message numbers otherwise.
/// </summary>
public sealed class SavedResultScope(IImapCommand inner, bool byUid) : IImapCommand
{
    public Task ExecuteAsync(ImapSession session, Parsing.ImapCommand command, CancellationToken ct) =>
        SavedSearch.RunAsync(session, byUid, () => inner.ExecuteAsync(session, command, ct));
}
