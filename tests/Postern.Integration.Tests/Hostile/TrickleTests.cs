using System.Diagnostics;
using System.Text;
using Postern.Configuration;
using Postern.Integration.Tests.Support;

namespace Postern.Integration.Tests.Hostile;

/// <summary>
/// The time bounds scaled down so the tests take seconds: 4 s before login, 2 s grace, 3 s stall,
/// 2000 B/s for literals and DATA. Every idle timeout is long (5 and 30 minutes), so whatever ends
/// a session here is one of the new bounds (the log names which), not an idle timeout.
/// </summary>
public sealed class TrickleFixture() : OwnServerFixture(
    "--Limits:PreLoginTimeout=00:00:04", "--Limits:TransferGracePeriod=00:00:02", "--Limits:TransferStallTimeout=00:00:03",
    "--Smtp:MinDataRate=2000", "--Imap:MinLiteralRate=2000",
    "--Imap:PreAuthTimeout=00:05:00", "--Imap:AuthenticatedTimeout=00:30:00", "--Pop3:PreAuthTimeout=00:05:00",
    "--Smtp:PreAuthTimeout=00:05:00", "--Smtp:CommandTimeout=00:05:00")
{
    public static readonly TimeSpan PreLogin = TimeSpan.FromSeconds(4);
}

/// <summary>
/// Issue 9 point 7, time bounds that end a trickle: before login (every protocol), DATA, a stalled
/// literal, an APPEND without its final CRLF. And what must still work: a message or an APPEND
/// that takes longer than every bound but keeps above the minimum rate.
/// </summary>
public sealed class TrickleTests(TrickleFixture fixture) : IClassFixture<TrickleFixture>
{
    /// <summary>Far below the idle timeouts (5 minutes and more), far above the bounds under test.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    private PosternServer Server => fixture.Server;

    /// <summary>Sends <paramref name="text"/> in pieces of <paramref name="piece"/> chars every <paramref name="every"/>, again and again, until the server closes; returns when it did.</summary>
    private static async Task<TimeSpan?> SendUntilClosedAsync(RawClient c, string text, int piece, TimeSpan every)
    {
        var closed = c.TimeUntilClosedAsync(Bound);
        var sw = Stopwatch.StartNew();
        for (int i = 0; !closed.IsCompleted && sw.Elapsed < Bound; i = (i + piece) % text.Length)
        {
            try
            {
                await c.SendAsync(text.Substring(i, Math.Min(piece, text.Length - i)));
            }
            catch (IOException)
            {
                break; // the server hung up
            }

            await Task.WhenAny(closed, Task.Delay(every));
        }

        return await closed;
    }

    private Task<RawClient> LoggedInAsync() => RawImap.LoginAsync(Server, "dave", Bound);

    private async Task<RawClient> AtDataAsync()
    {
        var c = await RawClient.ConnectAsync(Server, 25);
        Assert.StartsWith("220", await c.ReadLineAsync());
        await c.SendLineAsync("EHLO trickle.test");
        Assert.NotNull(await c.ReadUntilAsync("250 "));
        await c.SendLineAsync("MAIL FROM:<x@remote.test>");
        Assert.StartsWith("250", await c.ReadLineAsync());
        await c.SendLineAsync($"RCPT TO:<{ServerFixture.User("dave")}>");
        Assert.StartsWith("250", await c.ReadLineAsync());
        await c.SendLineAsync("DATA");
        Assert.StartsWith("354", await c.ReadLineAsync());
        return c;
    }

    [Theory]
    [InlineData(993, true, "a NOOP")]
    [InlineData(995, true, "CAPA")]
    [InlineData(465, true, "NOOP")]
    [InlineData(25, false, "NOOP")]
    public async Task Complete_commands_sent_slowly_before_login_end_at_the_pre_login_bound(int port, bool tls, string command)
    {
        // Each command arrives whole and is answered; no wait comes near an idle timeout. Before
        // issue 9 such a session stayed as long as it liked.
        var sw = Stopwatch.StartNew();
        await using var c = await RawClient.ConnectAsync(Server, port, implicitTls: tls);
        Assert.NotNull(await c.ReadLineAsync());
        var took = await SendUntilClosedAsync(c, command + "\r\n", piece: 100, TimeSpan.FromMilliseconds(500));
        Assert.True(took is not null, $"the session on {port} was still open after {Bound.TotalSeconds} s");
        Assert.True(sw.Elapsed >= TrickleFixture.PreLogin - TimeSpan.FromMilliseconds(300), $"closed after {sw.Elapsed}, before the bound");
        await fixture.WaitForLogAboutAsync(c, ": Limits:PreLoginTimeout reached");
    }

    [Theory]
    [InlineData(993, true, "a NOOP")]
    [InlineData(995, true, "CAPA")]
    [InlineData(465, true, "NOOP")]
    [InlineData(25, false, "NOOP")]
    public async Task An_unauthenticated_session_sending_a_byte_a_second_ends_within_the_bounds(int port, bool tls, string command)
    {
        await using var c = await RawClient.ConnectAsync(Server, port, implicitTls: tls);
        Assert.NotNull(await c.ReadLineAsync());
        var took = await SendUntilClosedAsync(c, command + "\r\n", piece: 1, TimeSpan.FromSeconds(1));
        Assert.True(took is not null, $"the session on {port} was still open after {Bound.TotalSeconds} s");
        // Every line takes longer than the grace period at this pace: the line's own rate
        // (Limits:MinLineRate) ends it, or on a slow machine the pre-login bound comes first.
        await fixture.WaitForLogAboutAsync(c, ": Limits:");
    }

    [Fact]
    public async Task Data_at_a_byte_a_second_ends_with_421_by_the_minimum_data_rate()
    {
        // The pre-login bound ended at 354 (an MX session never logs in), so only the rate can end it.
        await using var c = await AtDataAsync();
        var sw = Stopwatch.StartNew();
        var reply = c.ReadLineAsync(Bound);
        const string body = "Subject: trickle\r\n\r\nslowly\r\n";
        for (int i = 0; !reply.IsCompleted && sw.Elapsed < Bound; i = (i + 1) % body.Length)
        {
            try
            {
                await c.SendAsync(body[i].ToString());
            }
            catch (IOException)
            {
                break;
            }

            await Task.WhenAny(reply, Task.Delay(TimeSpan.FromSeconds(1)));
        }

        Assert.StartsWith("421 4.4.2", await reply);
        await fixture.WaitForLogAboutAsync(c, ": Smtp:MinDataRate reached");
    }

    [Fact]
    public async Task A_stalled_imap_literal_after_login_ends_by_the_literal_rate_not_the_30_minute_idle_timeout()
    {
        await using var c = await LoggedInAsync();
        await c.SendLineAsync("b APPEND INBOX {1000}");
        Assert.StartsWith("+", await c.ReadLineAsync());
        await c.SendAsync("Subject: st");
        Assert.NotNull(await c.TimeUntilClosedAsync(Bound));
        await fixture.WaitForLogAboutAsync(c, ": Imap:MinLiteralRate reached");
    }

    [Fact]
    public async Task An_append_without_its_final_crlf_ends_at_the_stall_timeout()
    {
        // 200 KB sent at once bank 100 s at 2000 B/s; only the stall timeout (3 s) ends the wait for
        // the CRLF that should follow the literal.
        await using var c = await LoggedInAsync();
        var message = Encoding.ASCII.GetBytes("Subject: no end\r\n\r\n" + string.Concat(Enumerable.Repeat(new string('x', 98) + "\r\n", 2000)));
        await c.SendLineAsync($"b APPEND INBOX {{{message.Length}}}");
        Assert.StartsWith("+", await c.ReadLineAsync());
        await c.SendBytesAsync(message);
        var took = await c.TimeUntilClosedAsync(Bound);
        Assert.True(took is not null, "the server still waited for the end of the APPEND line");
        await fixture.WaitForLogAboutAsync(c, ": Limits:TransferStallTimeout reached");
    }

    /// <summary>
    /// The scaled-down form of "a 50 MB message over a slow link still arrives": 60 KB at about
    /// 10 KB/s (five times the configured 2000 B/s; 100 KB/s is 200 times the default 500) take about
    /// six seconds, longer than the grace, the stall and the pre-login bound together would allow a
    /// trickle, and arrive.
    /// </summary>
    [Fact]
    public async Task A_message_and_an_append_slower_than_every_bound_but_above_the_rate_arrive()
    {
        string line = new string('y', 98) + "\r\n";
        string chunk = string.Concat(Enumerable.Repeat(line, 10)); // 1000 octets
        const int chunks = 60;

        await using (var smtp = await AtDataAsync())
        {
            var sw = Stopwatch.StartNew();
            await smtp.SendAsync("Subject: slow link\r\n\r\n");
            for (int i = 0; i < chunks; i++)
            {
                await smtp.SendAsync(chunk);
                await Task.Delay(100);
            }

            await smtp.SendAsync(".\r\n");
            Assert.StartsWith("250", await smtp.ReadLineAsync(Bound));
            Assert.True(sw.Elapsed > TrickleFixture.PreLogin, $"the message went too fast ({sw.Elapsed}) to show anything");
        }

        await using var imap = await LoggedInAsync();
        await imap.SendLineAsync($"b APPEND INBOX {{{chunks * chunk.Length}}}");
        Assert.StartsWith("+", await imap.ReadLineAsync());
        for (int i = 0; i < chunks; i++)
        {
            await imap.SendAsync(chunk);
            await Task.Delay(100);
        }

        await imap.SendLineAsync("");
        Assert.StartsWith("b OK", (await imap.ReadUntilAsync("b ", Bound))[^1]);
    }
}

/// <summary>The defaults end a one-byte-a-second trickle within three minutes and let a 50 MB message at 100 KB/s through.</summary>
public sealed class TimeBoundDefaultsTests
{
    private static readonly TimeSpan ThreeMinutes = TimeSpan.FromMinutes(3);

    /// <summary>When a transfer at <paramref name="bytesPerSecond"/> runs out of time under the rate rule; null if never.</summary>
    private static double? RateRuleEnds(TimeSpan grace, int minRate, double bytesPerSecond) =>
        // Ends when t > grace + t * bytesPerSecond / minRate.
        bytesPerSecond >= minRate ? null : grace.TotalSeconds / (1 - (bytesPerSecond / minRate));

    [Fact]
    public void The_default_time_bounds_end_a_trickle_within_three_minutes_and_pass_a_slow_link()
    {
        var o = new PosternOptions();
        var limits = o.Limits;
        Assert.True(limits.PreLoginTimeout <= ThreeMinutes, $"Limits:PreLoginTimeout {limits.PreLoginTimeout}");
        Assert.True(limits.TransferStallTimeout <= ThreeMinutes, $"Limits:TransferStallTimeout {limits.TransferStallTimeout}");
        foreach (var (key, rate) in new[] { ("Limits:MinLineRate", limits.MinLineRate), ("Imap:MinLiteralRate", o.Imap.MinLiteralRate), ("Smtp:MinDataRate", o.Smtp.MinDataRate) })
        {
            var trickle = RateRuleEnds(limits.TransferGracePeriod, rate, bytesPerSecond: 1);
            Assert.True(trickle is not null && trickle <= ThreeMinutes.TotalSeconds, $"{key} {rate}: a one-byte-a-second trickle lasts {trickle} s");
            Assert.Null(RateRuleEnds(limits.TransferGracePeriod, rate, bytesPerSecond: 100 * 1024));
        }

        // And the 50 MB message fits the size limits at all.
        Assert.True(o.Smtp.MaxMessageSize >= 50L * 1024 * 1024 && o.Imap.MaxAppendSize >= 50L * 1024 * 1024);
    }
}
