using Postern.Imap.Parsing;
using Postern.Imap.Session;

namespace Postern.Imap.Commands;

/// <summary>
/// SUBSCRIBE and UNSUBSCRIBE (RFC 3501 6.3.6, 6.3.7): a flag on an existing mailbox, which LSUB
/// honours. Subscribing to a mailbox that does not exist is refused with [NONEXISTENT].
/// </summary>
public sealed class SubscribeCommand : IImapCommand
{
    private readonly bool _subscribe;

    public SubscribeCommand(bool subscribe) => _subscribe = subscribe;

    public async Task ExecuteAsync(ImapSession session, ImapCommand command, CancellationToken ct)
    {
        Arguments.Count(command, 1, 1);
        string name = Arguments.Mailbox(session, command.Args[0]);
        await MailboxErrors.RunAsync(() => session.Store.SetSubscribedAsync(session.RequireAccount.Id, name, _subscribe, ct)).ConfigureAwait(false);
        session.Ok(command.Tag, (_subscribe ? "SUBSCRIBE" : "UNSUBSCRIBE") + " completed");
    }
}
