using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Postern.Storage.Accounts;

/// <summary>
/// Checks user name and password for all three protocols. Unknown users and wrong passwords
/// cost the same work and get the same answer (no user enumeration), and every failure is
/// answered only after a delay. Repeated failures raise a per-address and per-account penalty
/// (<see cref="AuthThrottle"/>), and hashing runs in a bounded number of slots, so neither a
/// guessing campaign nor a flood of AUTH commands can take the CPU or lock a real user out.
/// A successful password login also writes the account's SCRAM keys when it has none (accounts
/// from before Postern kept them), since only a password login ever sees the password.
/// </summary>
public sealed partial class Authenticator
{
    private readonly IMailStore _store;
    private readonly SemaphoreSlim _hashing;
    private readonly ILogger _log;

    public Authenticator(IMailStore store, TimeSpan? failureDelay = null, int maxConcurrentHashes = 0)
        : this(store, new AuthOptions
        {
            FailureDelay = failureDelay ?? TimeSpan.FromSeconds(1),
            MaxPenalty = failureDelay ?? TimeSpan.FromSeconds(1),
            MaxConcurrentHashes = maxConcurrentHashes,
        })
    {
    }

    public Authenticator(IMailStore store, AuthOptions options, ILogger? log = null)
    {
        _store = store;
        _log = log ?? NullLogger.Instance;
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
        ScramKeys? newKeys = null;
        await _hashing.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            ok = PasswordHasher.Verify(password, account?.PasswordHash ?? PasswordHasher.Decoy) && account is not null;

            // Keys missing, or at a count the operator has since changed: derive them in the same
            // hashing slot, from the password just proven right.
            if (ok && account!.Scram?.Iterations != Options.ScramIterations)
            {
                newKeys = ScramKeys.Derive(password, Options.ScramIterations);
            }
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
        return newKeys is null ? account : await StoreScramKeysAsync(account!, newKeys, ct).ConfigureAwait(false);
    }

    /// <summary>Stores keys derived at a password login; the login succeeds whatever happens here.</summary>
    private async Task<Account> StoreScramKeysAsync(Account account, ScramKeys keys, CancellationToken ct)
    {
        try
        {
            // Only while the account still has the hash the password was checked against.
            if (!await _store.SetScramKeysAsync(account.Address, account.PasswordHash, keys, ct).ConfigureAwait(false))
            {
                LogScramKeysStale(_log, account.Id);
                return account;
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The password was right; a store that cannot take the keys now (a full disk) only
            // means SCRAM waits for a later password login. Logged, not hidden.
            LogScramKeysNotStored(_log, e, account.Id);
            return account;
        }

        LogScramKeysStored(_log, account.Id, keys.Iterations);
        return account with { Scram = keys };
    }

    [LoggerMessage(EventId = 400, Level = LogLevel.Information, Message = "Stored SCRAM-SHA-256 keys ({Iterations} iterations) for account {AccountId} at its password login; it can now log in with SCRAM")]
    private static partial void LogScramKeysStored(ILogger logger, long accountId, int iterations);

    [LoggerMessage(EventId = 401, Level = LogLevel.Information, Message = "Did not store SCRAM keys for account {AccountId}: its password changed during the login")]
    private static partial void LogScramKeysStale(ILogger logger, long accountId);

    [LoggerMessage(EventId = 402, Level = LogLevel.Warning, Message = "Could not store SCRAM keys for account {AccountId}; SCRAM logins keep failing for it until a later password login stores them")]
    private static partial void LogScramKeysNotStored(ILogger logger, Exception error, long accountId);
}
