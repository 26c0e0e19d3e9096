using Postern.Imap.Parsing;
using Postern.Imap.Session;

namespace Postern.Imap.Commands;

/// <summary>
/// COPY and UID COPY (RFC 3501 6.4.7, 6.4.8): each message is read from the store and appended to
/// the destination with its flags and internal date. Clients use it to move mail to Trash.
/// </summary>
public sealed class CopyCommand : IImapCommand
{
    private readonly bool _byUid;

    public CopyCommand(bool byUid) => _byUid = byUid;

    public async Task ExecuteAsync(ImapSession session, ImapCommand command, CancellationToken ct)
    {
        Arguments.Count(command, 2, 2);
        var set = Arguments.Set(command.Args[0]);
        string name = Arguments.Mailbox(command.Args[1]);
        var box = session.RequireSelected;
        var target = await session.Store.GetMailboxAsync(session.RequireAccount.Id, name, ct).ConfigureAwait(false)
            ?? throw ImapException.No("[TRYCREATE] No such mailbox");

        var ranges = set.Resolve(_byUid ? box.MaxUid : (uint)box.Messages.Count);
        var chosen = new List<Postern.Storage.MessageInfo>();
        for (int i = 0; i < box.Messages.Count; i++)
        {
            if (SequenceSet.Contains(ranges, _byUid ? box.Messages[i].Uid : (uint)(i + 1)))
            {
                chosen.Add(box.Messages[i]);
            }
        }

        // Not atomic across messages: the store has no multi-message copy yet. Each append is durable.
        foreach (var msg in chosen)
        {
            var stream = await session.Store.OpenMessageAsync(box.Info.Id, msg.Uid, ct).ConfigureAwait(false);
            if (stream is null)
            {
                throw ImapException.No("[EXPUNGEISSUED] Some of the messages no longer exist");
            }

            await using (stream.ConfigureAwait(false))
            {
                await session.Store.AppendAsync(target.Id, stream, msg.Flags, msg.InternalDate, ct).ConfigureAwait(false);
            }
        }

        session.Ok(command.Tag, (_byUid ? "UID " : "") + "COPY completed");
    }
}
