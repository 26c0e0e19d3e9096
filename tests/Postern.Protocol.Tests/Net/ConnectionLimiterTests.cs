using System.Net;
using Postern.Net;
using Xunit;

namespace Postern.Protocol.Tests.Net;

/// <summary>Connection caps in total and per client address, taken at accept and given back at close.</summary>
public sealed class ConnectionLimiterTests
{
    private static readonly IPAddress A = IPAddress.Parse("192.0.2.1");
    private static readonly IPAddress B = IPAddress.Parse("192.0.2.2");

    [Fact]
    public void One_address_cannot_take_more_than_its_share_and_others_are_still_served()
    {
        var limiter = new ConnectionLimiter(new ConnectionLimits { MaxConnections = 10, MaxConnectionsPerAddress = 2 });
        Assert.True(limiter.TryAcquire(A));
        Assert.True(limiter.TryAcquire(A));
        Assert.False(limiter.TryAcquire(A));
        Assert.True(limiter.TryAcquire(B));
        Assert.Equal(3, limiter.Open);
    }

    [Fact]
    public void The_total_cap_holds_across_addresses_and_released_slots_are_reusable()
    {
        var limiter = new ConnectionLimiter(new ConnectionLimits { MaxConnections = 3, MaxConnectionsPerAddress = 3 });
        Assert.True(limiter.TryAcquire(A));
        Assert.True(limiter.TryAcquire(A));
        Assert.True(limiter.TryAcquire(B));
        Assert.False(limiter.TryAcquire(B));
        limiter.Release(A);
        Assert.True(limiter.TryAcquire(B));
        Assert.Equal(3, limiter.Open);
    }

    [Fact]
    public async Task Concurrent_acquire_and_release_leave_no_slot_behind()
    {
        var limiter = new ConnectionLimiter(new ConnectionLimits { MaxConnections = 1000, MaxConnectionsPerAddress = 1000 });
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            for (int i = 0; i < 5000; i++)
            {
                if (limiter.TryAcquire(A))
                {
                    limiter.Release(A);
                }
            }
        })));
        Assert.Equal(0, limiter.Open);
        // And the per-address count went back to zero too: the full share is available again.
        for (int i = 0; i < 1000; i++)
        {
            Assert.True(limiter.TryAcquire(A));
        }
    }
}
