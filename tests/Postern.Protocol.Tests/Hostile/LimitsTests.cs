using System.Net;
using Postern.Net;
using Postern.Protocol.Tests.Support;
using Xunit;

namespace Postern.Protocol.Tests.Hostile;

/// <summary>The per-line read deadline and the descriptor-based connection cap.</summary>
public sealed class LimitsTests
{
    [Fact]
    public async Task A_line_trickled_slower_than_the_timeout_in_total_times_out_though_each_byte_is_prompt()
    {
        var (server, client) = DuplexStream.CreatePair();
        var endpoint = new EndpointInfo("test", MailProtocol.SmtpRelay, IPAddress.Loopback, 0, TlsMode.StartTls);
        await using var conn = new MailConnection(server, endpoint, null, TestServer.Tls) { ReadTimeout = TimeSpan.FromMilliseconds(600) };
        var read = conn.ReadLineAsync(1000, default).AsTask();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!read.IsCompleted && !stop.IsCancellationRequested)
        {
            await client.WriteAsync("x"u8.ToArray());
            await client.FlushAsync();
            await Task.WhenAny(read, Task.Delay(100));
        }

        await Assert.ThrowsAsync<IdleTimeoutException>(() => read);
        Assert.False(stop.IsCancellationRequested, "the trickled line was never cut off");
    }

    [Theory]
    [InlineData(1024L, 200, 380)]
    [InlineData(512L, 170, 139)]
    [InlineData(100L, 90, 1)]
    public void The_connection_cap_leaves_room_for_the_runtime_and_a_file_per_connection(long soft, int open, int expected)
    {
        Assert.Equal(expected, DescriptorBudget.CapFor(soft, open));
        Assert.Null(DescriptorBudget.CapFor(null, open));
    }

    [Fact]
    public void The_limiter_takes_the_lower_of_the_configured_and_the_descriptor_cap()
    {
        var limiter = new ConnectionLimiter(new ConnectionLimits { MaxConnections = 100, MaxConnectionsPerAddress = 100 }, descriptorCap: 2);
        var a = IPAddress.Parse("192.0.2.1");
        Assert.Equal(2, limiter.MaxConnections);
        Assert.Equal(AdmissionVerdict.Admitted, limiter.Admit(a).Verdict);
        Assert.Equal(AdmissionVerdict.Admitted, limiter.Admit(a).Verdict);
        Assert.Equal(AdmissionVerdict.Dropped, limiter.Admit(a).Verdict);
    }
}
