using System.Net;

namespace Postern.Net;

/// <summary>What happens to a connection just accepted (see <see cref="ConnectionLimiter.Admit"/>).</summary>
public enum AdmissionVerdict
{
    /// <summary>Served: the session runs.</summary>
    Admitted,

    /// <summary>Over a limit that deserves an answer: TLS handshake (implicit TLS), a refusal in the protocol's words, close.</summary>
    Refused,

    /// <summary>Over a hard limit: closed at once, without a handshake or a word.</summary>
    Dropped,
}

/// <summary>The limiter's decision on one new connection, the limit that decided it, and the slot it holds.</summary>
/// <param name="Limit">The configuration key of the limit reached (e.g. "Limits:MaxConnectionsPerAddress"), null when admitted.</param>
/// <param name="Max">That limit's value, for logs.</param>
/// <param name="Slot">Held while the connection is open (also while a refusal is sent); null when dropped.</param>
public readonly record struct Admission(AdmissionVerdict Verdict, string? Limit, int Max, ConnectionSlot? Slot);

/// <summary>
/// Counts connections: open in total and per client address, unauthenticated per address, logged
/// in per account, address and protocol, and new ones per address per minute. One lock guards all
/// counts, so they always agree; it is taken once per accept, login and close.
/// </summary>
public sealed class ConnectionLimiter
{
    /// <summary>The rate window (Postfix's anvil_rate_time_unit is also a minute).</summary>
    private const long WindowMs = 60_000;

    /// <summary>
    /// Addresses remembered (with connections open, or only for their connection rate). Past this,
    /// windows that ended are forgotten, and if that is not enough the rate of addresses with nothing
    /// open is forgotten too: a flood from many addresses must not grow memory without bound.
    /// </summary>
    private readonly int _maxTracked;

    private readonly ConnectionLimits _limits;
    private readonly Func<long> _now;
    private readonly object _gate = new();
    private readonly Dictionary<IPAddress, AddressCounts> _addresses = [];
    private readonly Dictionary<(IPAddress Address, MailProtocol Protocol, long AccountId), int> _logins = [];
    private readonly int _maxConnections;
    private int _total;

    public ConnectionLimiter(ConnectionLimits limits)
        : this(limits, DescriptorBudget.ConnectionCap())
    {
    }

    /// <param name="descriptorCap">Connections the descriptor limit allows (see <see cref="DescriptorBudget"/>); null for none.</param>
    /// <param name="clock">Milliseconds for the rate window (tests); <see cref="Environment.TickCount64"/> by default.</param>
    public ConnectionLimiter(ConnectionLimits limits, int? descriptorCap, Func<long>? clock = null)
    {
        _limits = limits;
        _now = clock ?? (() => Environment.TickCount64);
        _maxConnections = Math.Min(limits.MaxConnections, descriptorCap ?? int.MaxValue);
        // Room for every open connection's address besides the rate-only ones, so pruning stays rare.
        _maxTracked = (int)Math.Clamp(2L * _maxConnections, 65_536, int.MaxValue);
    }

    /// <summary>The total cap in force: the configured one, lowered to what the descriptor limit carries.</summary>
    public int MaxConnections => _maxConnections;

    public int Open => Volatile.Read(ref _total);

    /// <summary>The limits and connection timeouts this limiter was made with.</summary>
    public ConnectionLimits Limits => _limits;

    /// <summary>Decides on a connection just accepted from <paramref name="address"/> and counts it.</summary>
    public Admission Admit(IPAddress address)
    {
        int rate = _limits.MaxNewConnectionsPerAddressPerMinute;
        lock (_gate)
        {
            var counts = CountsFor(address);
            int attempts = counts.CountAttempt(_now(), rate > 0);
            if (rate > 0 && attempts > 2L * rate)
            {
                return Drop(address, counts, RateKey, rate);
            }

            if (_total >= _maxConnections)
            {
                return Drop(address, counts, "Limits:MaxConnections", _maxConnections);
            }

            if (counts.Open >= _limits.MaxConnectionsPerAddress)
            {
                return Drop(address, counts, "Limits:MaxConnectionsPerAddress", _limits.MaxConnectionsPerAddress);
            }

            _total++;
            counts.Open++;
            var slot = new ConnectionSlot(this, address);
            if (rate > 0 && attempts > rate)
            {
                return new Admission(AdmissionVerdict.Refused, RateKey, rate, slot);
            }

            if (counts.Unauthenticated >= _limits.MaxUnauthenticatedConnectionsPerAddress)
            {
                return new Admission(AdmissionVerdict.Refused, "Limits:MaxUnauthenticatedConnectionsPerAddress", _limits.MaxUnauthenticatedConnectionsPerAddress, slot);
            }

            counts.Unauthenticated++;
            slot.Unauthenticated = true;
            return new Admission(AdmissionVerdict.Admitted, null, 0, slot);
        }
    }

    internal const string RateKey = "Limits:MaxNewConnectionsPerAddressPerMinute";

    internal const string AccountKey = "Limits:MaxConnectionsPerAccountAndAddress";

    private Admission Drop(IPAddress address, AddressCounts counts, string limit, int max)
    {
        Forget(address, counts);
        return new Admission(AdmissionVerdict.Dropped, limit, max, null);
    }

    /// <summary>Moves a slot from its address's unauthenticated count to its account's; false when that is full.</summary>
    internal bool TryLogIn(ConnectionSlot slot, MailProtocol protocol, long accountId)
    {
        var key = (slot.Address, protocol, accountId);
        lock (_gate)
        {
            _logins.TryGetValue(key, out int n);
            if (n >= _limits.MaxConnectionsPerAccountAndAddress)
            {
                return false;
            }

            _logins[key] = n + 1;
            slot.Login = key;
            if (slot.Unauthenticated)
            {
                slot.Unauthenticated = false;
                _addresses[slot.Address].Unauthenticated--;
            }

            return true;
        }
    }

    /// <summary>Gives back everything <paramref name="slot"/> holds (once).</summary>
    internal void Release(ConnectionSlot slot)
    {
        lock (_gate)
        {
            _total--;
            var counts = _addresses[slot.Address];
            counts.Open--;
            if (slot.Unauthenticated)
            {
                counts.Unauthenticated--;
            }

            if (slot.Login is { } key)
            {
                if (_logins[key] <= 1)
                {
                    _logins.Remove(key);
                }
                else
                {
                    _logins[key]--;
                }
            }

            Forget(slot.Address, counts);
        }
    }

    private AddressCounts CountsFor(IPAddress address)
    {
        if (!_addresses.TryGetValue(address, out var counts))
        {
            if (_addresses.Count >= _maxTracked)
            {
                Prune();
            }

            counts = new AddressCounts();
            _addresses[address] = counts;
        }

        return counts;
    }

    /// <summary>Drops an address's entry once nothing is open and nothing need be remembered about its rate.</summary>
    private void Forget(IPAddress address, AddressCounts counts)
    {
        bool rateMatters = _limits.MaxNewConnectionsPerAddressPerMinute > 0
            && _now() - counts.WindowStart < WindowMs
            && _addresses.Count < _maxTracked;
        if (counts.Open == 0 && !rateMatters)
        {
            _addresses.Remove(address);
        }
    }

    /// <summary>Forgets addresses with nothing open: first those whose window ended, then, if still full, all of them.</summary>
    private void Prune()
    {
        long now = _now();
        foreach (var (address, counts) in _addresses.Where(e => e.Value.Open == 0 && now - e.Value.WindowStart >= WindowMs).ToList())
        {
            _addresses.Remove(address);
        }

        if (_addresses.Count >= _maxTracked)
        {
            foreach (var (address, _) in _addresses.Where(e => e.Value.Open == 0).ToList())
            {
                _addresses.Remove(address);
            }
        }
    }

    private sealed class AddressCounts
    {
        public int Open;
        public int Unauthenticated;
        public long WindowStart;
        private int _attempts;

        /// <summary>Counts one new connection in the current one-minute window (a fixed window, like anvil's); returns the count so far.</summary>
        public int CountAttempt(long now, bool rateLimited)
        {
            if (!rateLimited)
            {
                return 0;
            }

            if (_attempts == 0 || now - WindowStart >= WindowMs)
            {
                WindowStart = now;
                _attempts = 0;
            }

            return ++_attempts;
        }
    }
}

/// <summary>
/// What one open connection holds in its <see cref="ConnectionLimiter"/>: a place among its
/// address's connections, while unauthenticated a place among those, and once logged in a place
/// among its account's. Disposing gives all of it back.
/// </summary>
public sealed class ConnectionSlot : IDisposable
{
    private readonly ConnectionLimiter _limiter;
    private int _released;

    internal ConnectionSlot(ConnectionLimiter limiter, IPAddress address)
    {
        _limiter = limiter;
        Address = address;
    }

    public IPAddress Address { get; }

    /// <summary>The limit that refuses a login when <see cref="TryLogIn"/> says false, and its value.</summary>
    public (string Key, int Max) LoginLimit => (ConnectionLimiter.AccountKey, _limiter.Limits.MaxConnectionsPerAccountAndAddress);

    internal bool Unauthenticated { get; set; }

    internal (IPAddress Address, MailProtocol Protocol, long AccountId)? Login { get; set; }

    /// <summary>Counts this connection as a login of <paramref name="accountId"/> on <paramref name="protocol"/>; false when that account has its maximum from this address.</summary>
    public bool TryLogIn(MailProtocol protocol, long accountId) =>
        Login is not null || _limiter.TryLogIn(this, protocol, accountId);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            _limiter.Release(this);
        }
    }
}
