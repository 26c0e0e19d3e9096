namespace Postern.Storage.Accounts;

/// <summary>
/// Checks user name and password for all three protocols. Unknown users and wrong passwords
/// cost the same work and get the same answer (no user enumeration), and every failure is
/// answered only after a delay, which slows down guessing on one connection.
/// </summary>
public sealed class Authenticator
{
    private readonly IMailStore _store;
    private readonly SemaphoreSlim _hashing;

    public Authenticator(IMailStore store, TimeSpan? failureDelay = null, int maxConcurrentHashes = 0)
    {
        _store = store;
        FailureDelay = failureDelay ?? TimeSpan.FromSeconds(1);
        // PBKDF2 is deliberately expensive: bound how many run at once so an AUTH flood cannot take every core.
        int slots = maxConcurrentHashes > 0 ? maxConcurrentHashes : Math.Max(1, Environment.ProcessorCount);
        _hashing = new SemaphoreSlim(slots, slots);
    }

    public TimeSpan FailureDelay { get; }

    /// <summary>Returns the account if <paramref name="address"/> and <paramref name="password"/> match; null otherwise.</summary>
    public async Task<Account?> AuthenticateAsync(string address, string password, CancellationToken ct)
    {
        if (address.Length is 0 or > 320 || password.Length > 1024)
        {
            await Task.Delay(FailureDelay, ct).ConfigureAwait(false);
            return null;
        }

        var account = await _store.FindAccountAsync(address, ct).ConfigureAwait(false);
        bool ok;
        await _hashing.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            ok = PasswordHasher.Verify(password, account?.PasswordHash ?? PasswordHasher.Decoy) && account is not null;
        }
        finally
        {
            _hashing.Release();
        }

        if (!ok)
        {
            await Task.Delay(FailureDelay, ct).ConfigureAwait(false);
            return null;
        }

        return account;
    }
}
