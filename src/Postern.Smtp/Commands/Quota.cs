using Postern.Storage;
using Postern.Storage.Quotas;

namespace Postern.Smtp.Session;

internal sealed partial class SmtpSession
{
    /// <summary>
    /// RCPT-time quota check (what Postfix asks Dovecot's quota-status service): refused when the
    /// account is already full, or when the SIZE= declared on MAIL would not fit. Without SIZE= a
    /// message of at least one octet must fit, i.e. the account must be below its limit.
    /// Remembers the limit so the end of DATA can check the real size.
    /// </summary>
    private async Task<bool> RecipientHasRoomAsync(Account account)
    {
        var state = await _options.Quota.GetAsync(_store, account, _ct).ConfigureAwait(false);
        if (state is null)
        {
            return true;
        }

        if (!state.Fits(Math.Max(_transaction!.DeclaredSize, 1)))
        {
            return false;
        }

        _transaction.QuotaLimits[account.Id] = state.Limit;
        return true;
    }

    /// <summary>
    /// How many local recipients cannot take a message of <paramref name="size"/> octets (as stored,
    /// Received header included). Checked before the 250, so nothing acknowledged is ever dropped.
    /// A soft limit: see <see cref="QuotaState"/>.
    /// </summary>
    private async Task<int> FullRecipientsAsync(Transaction transaction, long size)
    {
        int full = 0;
        foreach (var (accountId, limit) in transaction.QuotaLimits)
        {
            long usage = await _store.GetAccountSizeAsync(accountId, _ct).ConfigureAwait(false);
            if (!new QuotaState(usage, limit).Fits(size))
            {
                full++;
            }
        }

        return full;
    }
}
