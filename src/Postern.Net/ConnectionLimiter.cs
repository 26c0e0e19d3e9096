using System.Collections.Concurrent;
using System.Net;

namespace Postern.Net;

/// <summary>Counts open connections in total and per client address.</summary>
public sealed class ConnectionLimiter
{
    private readonly ConnectionLimits _limits;
    private readonly ConcurrentDictionary<IPAddress, int> _perAddress = new();
    private int _total;

    private readonly int _maxConnections;

    public ConnectionLimiter(ConnectionLimits limits)
        : this(limits, DescriptorBudget.ConnectionCap())
    {
    }

    /// <param name="descriptorCap">Connections the descriptor limit allows (see <see cref="DescriptorBudget"/>); null for none.</param>
    public ConnectionLimiter(ConnectionLimits limits, int? descriptorCap)
    {
        _limits = limits;
        _maxConnections = Math.Min(limits.MaxConnections, descriptorCap ?? int.MaxValue);
    }

    /// <summary>The total cap in force: the configured one, lowered to what the descriptor limit carries.</summary>
    public int MaxConnections => _maxConnections;

    public int Open => Volatile.Read(ref _total);

    /// <summary>The limits and connection timeouts this limiter was made with.</summary>
    public ConnectionLimits Limits => _limits;

    /// <summary>Takes a slot for <paramref name="address"/>; false when a limit is reached.</summary>
    public bool TryAcquire(IPAddress address)
    {
        if (Interlocked.Increment(ref _total) > _maxConnections)
        {
            Interlocked.Decrement(ref _total);
            return false;
        }

        int count = _perAddress.AddOrUpdate(address, 1, (_, n) => n + 1);
        if (count > _limits.MaxConnectionsPerAddress)
        {
            Release(address);
            return false;
        }

        return true;
    }

    public void Release(IPAddress address)
    {
        Interlocked.Decrement(ref _total);
        while (true)
        {
            if (!_perAddress.TryGetValue(address, out int n))
            {
                return;
            }

            if (n <= 1)
            {
                if (_perAddress.TryRemove(new KeyValuePair<IPAddress, int>(address, n)))
                {
                    return;
                }
            }
            else if (_perAddress.TryUpdate(address, n - 1, n))
            {
                return;
            }
        }
    }
}
