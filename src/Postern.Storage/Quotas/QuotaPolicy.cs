namespace Postern.Storage.Quotas;

/// <summary>
/// The storage limit of each account, as the administrator configured it (Quota:DefaultStorageMB and
/// Quota:Users:&lt;address&gt;). Limits are never set over IMAP: SETQUOTA is refused.
/// </summary>
/// <remarks>
/// One quota root per account, named "User quota" (RFC 9208 3: the server chooses root names). Dovecot's
/// default is the empty name, but its documentation warns that some clients (Apple Mail) then show no
/// quota at all, and "User quota" is the name its example configurations use. Usage is
/// <see cref="IMailStore.GetAccountSizeAsync"/>: the sum of the RFC822.SIZE of every message in every
/// mailbox of the account (RFC 9208 5.1), so a COPY counts again even though the store shares bodies.
/// </remarks>
public sealed class QuotaPolicy
{
    /// <summary>Octets in one megabyte as configured (MiB: the limit a person means by "100 MB" of mail).</summary>
    public const long BytesPerMegabyte = 1024 * 1024;

    private readonly long _defaultLimit;
    private readonly Dictionary<string, long> _users;

    /// <param name="defaultLimit">Octets every account may store; 0 means unlimited.</param>
    /// <param name="users">Per-address overrides in octets (0 = unlimited for that account), case-insensitive.</param>
    public QuotaPolicy(long defaultLimit, IReadOnlyDictionary<string, long>? users = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(defaultLimit);
        _defaultLimit = defaultLimit;
        _users = new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase);
        foreach (var (address, limit) in users ?? new Dictionary<string, long>())
        {
            ArgumentOutOfRangeException.ThrowIfNegative(limit, nameof(users));
            _users[address] = limit;
        }
    }

    /// <summary>No account has a limit (the default when nothing is configured).</summary>
    public static QuotaPolicy Unlimited { get; } = new(0);

    /// <summary>True when at least one account may have a limit; when false no usage is ever read.</summary>
    public bool IsEnabled => _defaultLimit > 0 || _users.Values.Any(v => v > 0);

    /// <summary>The limit in octets for an address, or null when the account is unlimited.</summary>
    public long? LimitFor(string address)
    {
        long limit = _users.TryGetValue(address, out long own) ? own : _defaultLimit;
        return limit > 0 ? limit : null;
    }

    /// <summary>The account's usage against its limit; null (and no store read) when the account is unlimited.</summary>
    public async Task<QuotaState?> GetAsync(IMailStore store, Account account, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(account);
        if (LimitFor(account.Address) is not { } limit)
        {
            return null;
        }

        long usage = await store.GetAccountSizeAsync(account.Id, ct).ConfigureAwait(false);
        return new QuotaState(usage, limit);
    }
}
