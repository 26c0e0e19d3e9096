using System.Net;

namespace Postern.Storage.Accounts;

/// <summary>
/// Checks user name and password for all three protocols. Unknown users and wrong passwords
/// cost the same work and get the same answer (no user enumeration), and every failure is
/// answered only after a delay. Repeated failures raise a per-address and per-account penalty
/// (<see cref="AuthThrottle"/>), and hashing runs in a bounded number of slots, so neither a
/// guessing campaign nor a flood of AUTH commands can take the CPU or lock a real user out.
/// </summary>
public sealed class Authenticator
{
    private readonly IMailStore _store;
    private readonly SemaphoreSlim _hashing;

    public Authenticator(IMailStore store, TimeSpan? failureDelay = null, int maxConcurrentHashes = 0)
        : this(store, new AuthOptions
        {
            FailureDelay = failureDelay ?? TimeSpan.FromSeconds(1),
            MaxPenalty = failureDelay ?? TimeSpan.FromSeconds(1),
            MaxConcurrentHashes = maxConcurrentHashes,
        })
    {
    }

    public Authenticator(IMailStore store, AuthOptions options)
    {
        _store = store;
        Options = options;
        FailureDelay = options.FailureDelay;
        Throttle = new AuthThrottle(options);
        // PBKDF2 is deliberately expensive: bound how many run at once so an AUTH flood cannot take every core.
        int slots = options.MaxConcurrentHashes > 0 ? options.MaxConcurrentHashes : Math.Max(1, Environment.ProcessorCount);
        _hashing = new SemaphoreSlim(slots, slots);
    }

    public AuthOptions Options { get; }

    public TimeSpan FailureDelay { get; }

    public AuthThrottle Throttle { get; }

    /// <summary>Returns the account if <paramref name="address"/> and <paramref name="password"/> match; null otherwise.</summary>
    /// <remarks>The client address for the penalty is <see cref="AuthClient.Current"/>.</remarks>
    public Task<Account?> AuthenticateAsync(string address, string password, CancellationToken ct) =>
        AuthenticateAsync(address, password, AuthClient.Current, ct);

    /// <summary>As above, for a client at <paramref name="client"/> (null: no per-address penalty).</summary>
    public async Task<Account?> AuthenticateAsync(string address, string password, IPAddress? client, CancellationToken ct)
    {
        if (address.Length is 0 or > 320 || password.Length > 1024)
        {
            await Task.Delay(FailureDelay, ct).ConfigureAwait(false);
            return null;
        }

        using var gate = await Throttle.EnterAsync(client, ct).ConfigureAwait(false);
        // Dovecot applies the penalty before the password lookup, to every attempt from a penalised
        // address, so a guess that happens to be right is as slow as a wrong one.
        var penalty = Throttle.PenaltyFor(client, address);
        if (penalty > TimeSpan.Zero)
        {
            await Task.Delay(penalty, ct).ConfigureAwait(false);
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
            Throttle.Failed(client, address, password);
            await Task.Delay(FailureDelay, ct).ConfigureAwait(false);
            return null;
        }

        Throttle.Succeeded(client, address);
        return account;
    }
}
