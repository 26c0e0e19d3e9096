using Postern.Storage.Quotas;

namespace Postern.Imap.Session;

/// <summary>
/// The quota check APPEND and COPY make before storing (RFC 9208 7: a command that would put the
/// account over its limit fails with NO [OVERQUOTA] and stores nothing). A soft limit: see
/// <see cref="QuotaState"/> for why two commands at the same moment can both pass.
/// </summary>
public static class QuotaCheck
{
    public const string OverQuota = "[OVERQUOTA] Quota exceeded";

    /// <summary>Throws NO [OVERQUOTA] when <paramref name="adding"/> more octets do not fit the account's limit.</summary>
    public static async Task EnsureRoomAsync(ImapSession session, long adding, CancellationToken ct)
    {
        var state = await session.Options.Quota.GetAsync(session.Store, session.RequireAccount, ct).ConfigureAwait(false);
        if (state is not null && !state.Fits(adding))
        {
            throw ImapException.No(OverQuota);
        }
    }

    /// <summary>
    /// COPY adds the RFC822.SIZE of every copied message to the usage (RFC 9208 5.1 counts messages,
    /// not the bodies the store shares), so the copied sizes are what must fit.
    /// </summary>
    public static Task EnsureRoomForCopyAsync(ImapSession session, IReadOnlyList<uint> uids, CancellationToken ct)
    {
        if (!session.Options.Quota.IsEnabled)
        {
            return Task.CompletedTask;
        }

        var box = session.RequireSelected;
        long adding = 0;
        foreach (uint uid in uids)
        {
            int i = box.IndexOfUid(uid);
            if (i >= 0)
            {
                adding += box.Messages[i].Size;
            }
        }

        return EnsureRoomAsync(session, adding, ct);
    }
}
