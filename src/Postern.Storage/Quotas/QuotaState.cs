namespace Postern.Storage.Quotas;

/// <summary>One account's storage usage and limit, in octets, read at one moment.</summary>
/// <remarks>
/// A soft limit, like Dovecot's: the usage is read, compared and then the message is stored in a
/// separate step, so two deliveries or APPENDs running at the same moment can both pass the check
/// and together end a little over the limit. Making it exact would need the store to check inside
/// its write transaction; the next store attempt is refused anyway, so the overshoot is bounded
/// by what was in flight.
/// </remarks>
public sealed record QuotaState(long Usage, long Limit)
{
    /// <summary>
    /// True when storing <paramref name="adding"/> more octets keeps the account within its limit.
    /// Exactly at the limit is still within it (refused only when usage + size &gt; limit, as Dovecot does).
    /// </summary>
    public bool Fits(long adding) => Usage + adding <= Limit;

    /// <summary>Usage in RFC 9208 5.1 STORAGE units of 1024 octets, rounded up so a non-empty account never shows 0.</summary>
    public long UsageKiB => (Usage + 1023) / 1024;

    /// <summary>The limit in 1024-octet units, rounded down so the advertised limit is never more than the real one.</summary>
    public long LimitKiB => Limit / 1024;
}
