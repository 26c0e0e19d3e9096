using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Postern.Storage.Accounts;

/// <summary>
/// Remembers failed logins per client address and per account and turns them into a wait before
/// the next password check. Rules (see <see cref="AuthOptions"/> for the numbers):
/// <list type="bullet">
/// <item>Per address, as Dovecot's anvil penalty: after n failures the next attempt first waits
/// FailureDelay * 2^(n-1), capped at MaxPenalty. IPv6 addresses count per /48, as Dovecot does
/// (PENALTY_IPV6_MASK_BITS), since one host usually owns a whole prefix.</item>
/// <item>Retrying the same user and password does not raise the penalty (Dovecot remembers the
/// last 10 such pairs): a phone with an old password is not a brute-force attack.</item>
/// <item>A success resets its address's penalty (as Dovecot) and marks the address as known good
/// for that account.</item>
/// <item>Per account (password spraying from many addresses): past AccountFailureThreshold
/// failures, attempts for that account from addresses not known good for it wait too. Only a
/// wait, never a refusal, so the real user is at worst slowed, never locked out.</item>
/// </list>
/// Postfix's anvil (smtpd_client_auth_rate_limit) counts per client too; it refuses instead of
/// delaying, which needs a clock the client can wait out, so the delay is the gentler choice.
/// </summary>
public sealed class AuthThrottle
{
    private const int RememberedAttempts = 10;
    private const int KnownGoodPerAccount = 16;

    private readonly AuthOptions _options;
    private readonly Func<long> _now;
    private readonly byte[] _attemptKey = RandomNumberGenerator.GetBytes(32);
    private readonly Dictionary<string, AddressState> _addresses = new(StringComparer.Ordinal);
    private readonly Dictionary<string, AccountState> _accounts = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, Gate> _gates = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public AuthThrottle(AuthOptions options, Func<long>? nowMilliseconds = null)
    {
        _options = options;
        _now = nowMilliseconds ?? (() => Environment.TickCount64);
    }

    /// <summary>The wait before checking a password of <paramref name="account"/> from <paramref name="address"/>.</summary>
    public TimeSpan PenaltyFor(IPAddress? address, string account)
    {
        long now = _now();
        lock (_lock)
        {
            TimeSpan wait = TimeSpan.Zero;
            if (address is not null && _addresses.TryGetValue(Key(address), out var a) && !Expired(a.LastFailure, now))
            {
                wait = Step(a.Failures);
            }

            if (_accounts.TryGetValue(account, out var acc) && !Expired(acc.LastFailure, now) &&
                acc.Failures >= _options.AccountFailureThreshold &&
                (address is null || !acc.KnownGood.Contains(Key(address))))
            {
                var accountWait = Step(acc.Failures / Math.Max(1, _options.AccountFailureThreshold));
                wait = accountWait > wait ? accountWait : wait;
            }

            return wait;
        }
    }

    /// <summary>Records a failed check.</summary>
    public void Failed(IPAddress? address, string account, string password)
    {
        long now = _now();
        lock (_lock)
        {
            Trim(now);
            if (address is not null)
            {
                string key = Key(address);
                if (!_addresses.TryGetValue(key, out var a) || Expired(a.LastFailure, now))
                {
                    a = new AddressState();
                    _addresses[key] = a;
                }

                string attempt = AttemptId(account, password);
                if (!a.Recent.Contains(attempt))
                {
                    a.Failures++;
                    a.Recent.Enqueue(attempt);
                    if (a.Recent.Count > RememberedAttempts)
                    {
                        a.Recent.Dequeue();
                    }
                }

                a.LastFailure = now;
            }

            if (!_accounts.TryGetValue(account, out var acc))
            {
                acc = new AccountState();
                _accounts[account] = acc;
            }
            else if (Expired(acc.LastFailure, now))
            {
                acc.Failures = 0;
            }

            acc.Failures++;
            acc.LastFailure = now;
        }
    }

    /// <summary>Records a successful login: clears the address's penalty and trusts it for this account.</summary>
    public void Succeeded(IPAddress? address, string account)
    {
        if (address is null)
        {
            return;
        }

        string key = Key(address);
        lock (_lock)
        {
            _addresses.Remove(key);
            if (!_accounts.TryGetValue(account, out var acc))
            {
                acc = new AccountState { LastFailure = long.MinValue / 2 };
                _accounts[account] = acc;
            }

            if (!acc.KnownGood.Contains(key))
            {
                if (acc.KnownGood.Count >= KnownGoodPerAccount)
                {
                    acc.KnownGood.RemoveAt(0);
                }

                acc.KnownGood.Add(key);
            }
        }
    }

    /// <summary>
    /// Lets one password check per client address run at a time: a flood of parallel attempts from
    /// one address queues behind itself instead of filling the hashing slots (Dovecot lists
    /// parallel lookups from one IP as a known gap of its penalty).
    /// </summary>
    public async Task<IDisposable> EnterAsync(IPAddress? address, CancellationToken ct)
    {
        if (address is null)
        {
            return NoGate.Instance;
        }

        string key = Key(address);
        Gate gate;
        lock (_lock)
        {
            if (!_gates.TryGetValue(key, out gate!))
            {
                gate = new Gate(this, key);
                _gates[key] = gate;
            }

            gate.Users++;
        }

        try
        {
            await gate.Semaphore.WaitAsync(ct).ConfigureAwait(false);
        }
        catch
        {
            Leave(gate, acquired: false);
            throw;
        }

        return gate.Lease();
    }

    private void Leave(Gate gate, bool acquired)
    {
        if (acquired)
        {
            gate.Semaphore.Release();
        }

        lock (_lock)
        {
            if (--gate.Users == 0)
            {
                _gates.Remove(gate.Key);
            }
        }
    }

    private TimeSpan Step(int failures)
    {
        if (failures <= 0)
        {
            return TimeSpan.Zero;
        }

        double ms = _options.FailureDelay.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 30));
        return TimeSpan.FromMilliseconds(Math.Min(ms, _options.MaxPenalty.TotalMilliseconds));
    }

    private bool Expired(long last, long now) => now - last > _options.PenaltyWindow.TotalMilliseconds;

    /// <summary>Keeps memory bounded: forget expired entries, then (under a flood of fresh ones) the rest.</summary>
    private void Trim(long now)
    {
        if (_addresses.Count + _accounts.Count < _options.MaxTrackedEntries)
        {
            return;
        }

        foreach (var (k, v) in _addresses.ToList())
        {
            if (Expired(v.LastFailure, now))
            {
                _addresses.Remove(k);
            }
        }

        foreach (var (k, v) in _accounts.ToList())
        {
            if (Expired(v.LastFailure, now) && v.KnownGood.Count == 0)
            {
                _accounts.Remove(k);
            }
        }

        if (_addresses.Count + _accounts.Count >= _options.MaxTrackedEntries)
        {
            _addresses.Clear();
        }
    }

    private static string Key(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[6..].Clear();
        return new IPAddress(bytes).ToString() + "/48";
    }

    /// <summary>A keyed hash of user and password: the password itself is never kept.</summary>
    private string AttemptId(string account, string password) =>
        Convert.ToBase64String(HMACSHA256.HashData(_attemptKey, Encoding.UTF8.GetBytes(account.ToLowerInvariant() + "\0" + password)), 0, 12);

    private sealed class AddressState
    {
        public int Failures;
        public long LastFailure;
        public readonly Queue<string> Recent = new();
    }

    private sealed class AccountState
    {
        public int Failures;
        public long LastFailure;
        public readonly List<string> KnownGood = [];
    }

    private sealed class Gate(AuthThrottle owner, string key)
    {
        public string Key { get; } = key;

        public SemaphoreSlim Semaphore { get; } = new(1, 1);

        public int Users;

        public IDisposable Lease() => new Releaser(owner, this);
    }

    private sealed class Releaser(AuthThrottle owner, Gate gate) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
            {
                owner.Leave(gate, acquired: true);
            }
        }
    }

    private sealed class NoGate : IDisposable
    {
        public static readonly NoGate Instance = new();

        public void Dispose()
        {
        }
    }
}
