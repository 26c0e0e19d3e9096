using Postern.Imap.Session;
using Postern.Storage;

namespace Postern.Imap.Commands;

/// <summary>Maps a store's refusal to the IMAP response code a client can act on (RFC 9051 7.1).</summary>
internal static class MailboxErrors
{
    public static ImapException ToImap(MailboxException e) => ImapException.No(e.Error switch
    {
        MailboxError.NotFound => "[NONEXISTENT] No such mailbox",
        MailboxError.AlreadyExists => "[ALREADYEXISTS] Mailbox already exists",
        MailboxError.InvalidName => "[CANNOT] Invalid mailbox name",
        MailboxError.OverQuota => "[OVERQUOTA] Quota exceeded",
        _ => "[CANNOT] Operation not allowed on this mailbox",
    });

    /// <summary>Runs a store call and turns its <see cref="MailboxException"/> into a NO.</summary>
    public static async Task<T> RunAsync<T>(Func<Task<T>> action)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (MailboxException e)
        {
            throw ToImap(e);
        }
    }

    public static async Task RunAsync(Func<Task> action)
    {
        try
        {
            await action().ConfigureAwait(false);
        }
        catch (MailboxException e)
        {
            throw ToImap(e);
        }
    }
}
