namespace Postern.Net;

/// <summary>
/// The time bound of one transfer: a command line (from its first octet), a literal or a DATA
/// phase (from the moment the client owes it). After a grace period the transfer must have
/// averaged a minimum rate since it started, and no pause within it may exceed the stall timeout.
/// </summary>
/// <remarks>
/// The rate rule is Postfix's smtpd_min_data_rate and Kestrel's MinDataRate: each octet received
/// extends the deadline by 1/rate seconds, so a fast client banks time and a trickle runs out of it
/// (at one octet a second, just after the grace period). Banked time could be spent on one long
/// pause, which the stall timeout bounds. Counting what actually arrived, not what a literal
/// announced, matters: {50000000} must not buy 28 hours for whoever then sends nothing.
/// </remarks>
public sealed class TransferClock
{
    private readonly long _started;
    private readonly long _graceMs;
    private readonly long _stallMs;
    private readonly int _minRate;
    private long _received;
    private long _lastByte;

    /// <param name="minBytesPerSecond">The minimum average rate; at least 1.</param>
    /// <param name="limit">The configuration key of that rate, named when it ends a session.</param>
    public TransferClock(long nowMs, int minBytesPerSecond, TimeSpan grace, TimeSpan stall, string limit)
    {
        _started = _lastByte = nowMs;
        _minRate = Math.Max(1, minBytesPerSecond);
        _graceMs = (long)grace.TotalMilliseconds;
        _stallMs = (long)stall.TotalMilliseconds;
        RateLimit = limit;
    }

    /// <summary>The configuration key of this transfer's minimum rate.</summary>
    public string RateLimit { get; }

    /// <summary>Octets counted so far.</summary>
    public long Received => _received;

    /// <summary>Counts <paramref name="bytes"/> octets that arrived at <paramref name="nowMs"/>.</summary>
    public void Add(int bytes, long nowMs)
    {
        if (bytes > 0)
        {
            _received += bytes;
            _lastByte = nowMs;
        }
    }

    /// <summary>When the average rate falls below the minimum unless more octets arrive.</summary>
    public long RateDeadline => _started + _graceMs + (_received * 1000 / _minRate);

    /// <summary>When the current pause becomes too long.</summary>
    public long StallDeadline => _lastByte + _stallMs;
}
