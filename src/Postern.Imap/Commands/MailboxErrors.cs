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

    /// <summary>
    /// A store limit reached: NO [LIMIT] (RFC 5530 3) with the limit's one sentence, whether IMAP
    /// found it before calling the store or the store found it (e.g. keywords in use per mailbox,
    /// which only the store can count).
    /// </summary>
    public static ImapException ToImap(StoreLimitException e) => ImapException.No("[LIMIT] " + e.Message);

    /// <summary>Runs a check of <see cref="StoreLimits"/> and turns its refusal into NO [LIMIT].</summary>
    public static void CheckLimit(Action check)
    {
        try
        {
            check();
        }
        catch (StoreLimitException e)
        {
            throw ToImap(e);
        }
    }

    /// <summary>Runs a store call and turns its <see cref="MailboxException"/> or <see cref="StoreLimitException"/> into a NO.</summary>
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
        catch (StoreLimitException e)
        {
            throw ToImap(e);
        }
    }

    public static Task RunAsync(Func<Task> action) =>
        RunAsync(async () =>
        {
            await action().ConfigureAwait(false);
            return true;
        });
}
