using Postern.Imap.Parsing;
using Postern.Imap.Session;

namespace Postern.Imap.Commands;

/// <summary>
/// SUBSCRIBE and UNSUBSCRIBE (RFC 3501 6.3.6, 6.3.7). Every mailbox is subscribed and the store
/// cannot change that yet, so SUBSCRIBE of an existing mailbox succeeds and UNSUBSCRIBE is refused.
/// </summary>
public sealed class SubscribeCommand : IImapCommand
{
    private readonly bool _subscribe;

    public SubscribeCommand(bool subscribe) => _subscribe = subscribe;

    public async Task ExecuteAsync(ImapSession session, ImapCommand command, CancellationToken ct)
    {
        Arguments.Count(command, 1, 1);
        string name = Arguments.Mailbox(command.Args[0]);
        if (!_subscribe)
        {
            throw ImapException.No("[CANNOT] Subscriptions cannot be changed yet");
        }

        _ = await session.Store.GetMailboxAsync(session.RequireAccount.Id, name, ct).ConfigureAwait(false)
            ?? throw ImapException.No("[NONEXISTENT] No such mailbox");
        session.Ok(command.Tag, "SUBSCRIBE completed");
    }
}
