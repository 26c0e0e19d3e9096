using System.Diagnostics;
using System.Net;
using Postern.Net;
using Postern.Protocol.Tests.Support;
using Xunit;

namespace Postern.Protocol.Tests.Net;

/// <summary>
/// Issue 9 point 7, in the connection layer: a command line, a literal and the pre-login phase are
/// bounded in time by rules of their own, while the idle timeout (10 s here) is far away.
/// </summary>
public sealed class TransferBoundTests
{
    private static readonly TimeSpan Grace = TimeSpan.FromMilliseconds(400);

    private static (MailConnection Server, Stream Client) Pair(TimeSpan? stall = null)
    {
        var (server, client) = DuplexStream.CreatePair();
        var endpoint = new EndpointInfo("test", MailProtocol.Imap, IPAddress.Loopback, 0, TlsMode.StartTls);
        var limits = new ConnectionLimits { TransferGracePeriod = Grace, TransferStallTimeout = stall ?? TimeSpan.FromSeconds(10), MinLineRate = 500 };
        return (new MailConnection(server, endpoint, null, TestServer.Tls) { ReadTimeout = TimeSpan.FromSeconds(10), Limits = limits }, client);
    }

    /// <summary>Writes <paramref name="chunk"/> every <paramref name="every"/> until <paramref name="until"/> completes or 8 s pass.</summary>
    private static async Task TrickleAsync(Stream client, byte[] chunk, TimeSpan every, Task until)
    {
        var sw = Stopwatch.StartNew();
        while (!until.IsCompleted && sw.Elapsed < TimeSpan.FromSeconds(8))
        {
            await client.WriteAsync(chunk);
            await client.FlushAsync();
            await Task.WhenAny(until, Task.Delay(every));
        }
    }

    [Fact]
    public void The_rate_deadline_grows_with_what_arrived_and_the_stall_deadline_with_the_last_octet()
    {
        var clock = new TransferClock(1_000, 500, TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2), "Smtp:MinDataRate");
        Assert.Equal(31_000, clock.RateDeadline);
        Assert.Equal(121_000, clock.StallDeadline);
        clock.Add(50_000, 2_000);
        Assert.Equal(131_000, clock.RateDeadline); // 50,000 octets buy 100 s
        Assert.Equal(122_000, clock.StallDeadline);
        clock.Add(0, 9_000); // nothing arrived: the pause goes on
        Assert.Equal(122_000, clock.StallDeadline);
    }

    [Fact]
    public async Task A_command_line_trickled_a_byte_at_a_time_ends_after_the_grace_period_not_the_idle_timeout()
    {
        var (conn, client) = Pair();
        var sw = Stopwatch.StartNew();
        var read = conn.ReadLineAsync(1000, default).AsTask();
        await TrickleAsync(client, "x"u8.ToArray(), TimeSpan.FromMilliseconds(100), read);
        var e = await Assert.ThrowsAsync<IdleTimeoutException>(() => read);
        Assert.Equal("Limits:MinLineRate", e.Limit);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5), $"the trickled line lasted {sw.Elapsed}");
    }

    [Fact]
    public async Task The_line_clock_starts_at_its_first_octet_so_an_idle_wait_longer_than_the_grace_is_fine()
    {
        var (conn, client) = Pair();
        var read = conn.ReadLineAsync(1000, default).AsTask();
        await Task.Delay(Grace * 2);
        await client.WriteAsync("a NOOP\r\n"u8.ToArray());
        await client.FlushAsync();
        Assert.Equal("a NOOP", (await read).Text);
    }

    [Fact]
    public async Task A_literal_above_the_minimum_rate_arrives_though_it_lasts_far_longer_than_the_grace()
    {
        // 4000 octets at 2000/s (200 every 100 ms) against a minimum of 1000/s: two seconds, five
        // times the grace period, and never cut.
        var (conn, client) = Pair();
        var transfer = conn.StartTransfer(1000, "Imap:MinLiteralRate");
        var literal = new byte[4000];
        var read = conn.ReadExactlyAsync(literal, default, transfer).AsTask();
        await TrickleAsync(client, new byte[200], TimeSpan.FromMilliseconds(100), read);
        await read;
        Assert.Equal(4000, transfer.Received);
    }

    [Fact]
    public async Task A_literal_below_the_minimum_rate_ends_with_the_rate_named()
    {
        var (conn, client) = Pair();
        var transfer = conn.StartTransfer(1000, "Imap:MinLiteralRate");
        var read = conn.ReadExactlyAsync(new byte[4000], default, transfer).AsTask();
        await TrickleAsync(client, new byte[40], TimeSpan.FromMilliseconds(100), read);
        var e = await Assert.ThrowsAsync<IdleTimeoutException>(() => read);
        Assert.Equal("Imap:MinLiteralRate", e.Limit);
    }

    [Fact]
    public async Task A_stall_after_a_fast_start_ends_at_the_stall_timeout_whatever_time_was_banked()
    {
        // 100 KB at once bank 100 s at 1000/s; the stall timeout (500 ms) ends the pause anyway,
        // e.g. an APPEND whose last CRLF never comes.
        var (conn, client) = Pair(stall: TimeSpan.FromMilliseconds(500));
        var transfer = conn.StartTransfer(1000, "Imap:MinLiteralRate");
        // Reading first: the in-memory pipe holds back a writer that is far ahead of its reader.
        var literal = conn.ReadExactlyAsync(new byte[100_000], default, transfer).AsTask();
        await client.WriteAsync(new byte[100_000]).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        await client.FlushAsync();
        await literal.WaitAsync(TimeSpan.FromSeconds(10));
        var sw = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<IdleTimeoutException>(() => conn.ReadLineAsync(1000, transfer, default).AsTask());
        Assert.Equal("Limits:TransferStallTimeout", e.Limit);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5), $"the stall lasted {sw.Elapsed}");
    }

    [Fact]
    public async Task Complete_commands_sent_slowly_end_at_the_pre_login_bound_and_a_login_lifts_it()
    {
        var (conn, client) = Pair();
        conn.LoginDeadline = Environment.TickCount64 + 600;
        var sw = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<IdleTimeoutException>(async () =>
        {
            while (sw.Elapsed < TimeSpan.FromSeconds(8))
            {
                await client.WriteAsync("a NOOP\r\n"u8.ToArray());
                await client.FlushAsync();
                Assert.Equal("a NOOP", (await conn.ReadLineAsync(1000, default)).Text);
                await Task.Delay(100);
            }
        });
        Assert.Equal("Limits:PreLoginTimeout", e.Limit);

        var (after, afterClient) = Pair();
        after.LoginDeadline = Environment.TickCount64 + 600;
        Assert.True(after.TryLogIn(accountId: 1)); // no limiter: always admitted
        Assert.Equal(0, after.LoginDeadline);
        await Task.Delay(900);
        await afterClient.WriteAsync("a NOOP\r\n"u8.ToArray());
        await afterClient.FlushAsync();
        Assert.Equal("a NOOP", (await after.ReadLineAsync(1000, default)).Text);
    }
}
