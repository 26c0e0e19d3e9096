using System.Diagnostics;
using Postern.Integration.Tests.Support;

namespace Postern.Integration.Tests.Hostile;

/// <summary>
/// Issue 5 point 6: password guessing against a running Postern. The penalty follows Dovecot's
/// (see Postern.Storage.Accounts.AuthThrottle), scaled down here so the tests stay short: failure
/// delay 0.2 s, doubling per failure from one address, capped at 1.6 s; per account after 5 failures.
/// </summary>
public sealed class AuthAbuseTests : IAsyncLifetime
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan Cap = TimeSpan.FromMilliseconds(1600);
    private PosternServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await PosternServer.StartNewAsync([
            "--Auth:FailureDelay=00:00:00.200", "--Auth:MaxPenalty=00:00:01.600", "--Auth:AccountFailureThreshold=5",
            "--Imap:MaxAuthFailures=1000", "--Limits:MaxConnectionsPerAddress=200"]);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<RawClient> ImapAsync(string from)
    {
        var c = await RawClient.ConnectAsync(_server, 993, from: from, implicitTls: true);
        Assert.StartsWith("* OK", await c.ReadLineAsync());
        return c;
    }

    /// <summary>One LOGIN; returns the tagged reply and how long it took.</summary>
    private static async Task<(string Reply, TimeSpan Took)> LoginAsync(RawClient c, string user, string password, string tag = "a")
    {
        var sw = Stopwatch.StartNew();
        await c.SendLineAsync($"{tag} LOGIN \"{user}\" \"{password}\"");
        var reply = await c.ReadUntilAsync(tag + " ", TimeSpan.FromSeconds(60));
        return (reply[^1], sw.Elapsed);
    }

    [Fact]
    public async Task Failures_from_one_address_slow_it_down_while_the_real_user_elsewhere_gets_in()
    {
        await using var attacker = await ImapAsync("127.0.0.11");
        var times = new List<TimeSpan>();
        for (int i = 0; i < 5; i++)
        {
            var (reply, took) = await LoginAsync(attacker, ServerFixture.User("alice"), "guess" + i, "g" + i);
            Assert.StartsWith($"g{i} NO", reply);
            times.Add(took);
        }

        // Attempt 1: only the failure delay. Attempt 5: 4 earlier failures, penalty 0.2*2^3 = 1.6 s (the cap), plus the delay.
        Assert.True(times[0] < TimeSpan.FromSeconds(1.2), $"first failure took {times[0]}");
        Assert.True(times[4] >= Cap + Step - TimeSpan.FromMilliseconds(50), $"fifth failure took only {times[4]}; times: {string.Join(", ", times)}");
        Assert.True(times[4] > times[0] * 3, $"the penalty did not grow: {string.Join(", ", times)}");

        // The right password from the attacker's address is also slowed (the guess that hits must look like the rest).
        var (hit, hitTook) = await LoginAsync(attacker, ServerFixture.User("alice"), ServerFixture.Password, "h");
        Assert.StartsWith("h OK", hit);
        Assert.True(hitTook >= Cap - TimeSpan.FromMilliseconds(50), $"a penalised address logged in after only {hitTook}");

        // The real user from another address: at most the account penalty (5 failures = threshold: one step), never locked out.
        await using var user = await ImapAsync("127.0.0.12");
        var (ok, took2) = await LoginAsync(user, ServerFixture.User("alice"), ServerFixture.Password, "u");
        Assert.StartsWith("u OK", ok);
        Assert.True(took2 < Cap + TimeSpan.FromSeconds(1.5), $"the real user waited {took2}");
    }

    [Fact]
    public async Task Password_spraying_from_many_addresses_slows_new_addresses_but_not_where_the_user_logged_in_before()
    {
        // bob logs in once from his usual address.
        await using (var home = await ImapAsync("127.0.0.21"))
        {
            Assert.StartsWith("b OK", (await LoginAsync(home, ServerFixture.User("bob"), ServerFixture.Password, "b")).Reply);
        }

        // 12 addresses, 2 guesses each: no address gets far, but the account collects 24 failures.
        var spray = Enumerable.Range(0, 12).Select(async i =>
        {
            await using var c = await ImapAsync($"127.0.1.{i + 1}");
            for (int k = 0; k < 2; k++)
            {
                Assert.StartsWith($"s{k} NO", (await LoginAsync(c, ServerFixture.User("bob"), $"spray{i}-{k}", $"s{k}")).Reply);
            }
        });
        await Task.WhenAll(spray);

        // A fresh address now waits the account penalty before its check: 24/5 = 4 steps = 1.6 s (capped).
        await using (var fresh = await ImapAsync("127.0.0.22"))
        {
            var (reply, took) = await LoginAsync(fresh, ServerFixture.User("bob"), "one more guess", "f");
            Assert.StartsWith("f NO", reply);
            Assert.True(took >= Cap, $"a guess for a sprayed account from a new address took only {took}");
        }

        // bob at home is not slowed by the spraying at all, and a new address with the right password still gets in.
        await using (var home = await ImapAsync("127.0.0.21"))
        {
            var (reply, took) = await LoginAsync(home, ServerFixture.User("bob"), ServerFixture.Password, "h");
            Assert.StartsWith("h OK", reply);
            Assert.True(took < TimeSpan.FromSeconds(1.2), $"bob at his known address waited {took}");
        }

        await using (var travel = await ImapAsync("127.0.0.23"))
        {
            var (reply, took) = await LoginAsync(travel, ServerFixture.User("bob"), ServerFixture.Password, "t");
            Assert.StartsWith("t OK", reply);
            Assert.True(took < Cap + TimeSpan.FromSeconds(1.5), $"bob from a new address waited {took}");
        }
    }

    [Fact]
    public async Task An_auth_flood_cannot_starve_a_legitimate_login_from_another_address()
    {
        using var stop = new CancellationTokenSource();
        int attempts = 0;

        // 60 connections from 6 addresses, each guessing as fast as the server answers.
        var flood = Enumerable.Range(0, 60).Select(async i =>
        {
            await using var c = await ImapAsync($"127.0.2.{(i % 6) + 1}");
            int n = 0;
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await LoginAsync(c, ServerFixture.User("carol"), $"flood{i}-{n}", $"f{n}");
                }
                catch (EndOfStreamException)
                {
                    // The server hung up on this connection: it stops flooding.
                    return;
                }

                n++;
                Interlocked.Increment(ref attempts);
            }
        }).ToList();

        // Let the flood build up, then log in for real from elsewhere, three times.
        await Task.Delay(TimeSpan.FromSeconds(2));
        var cpuBefore = _server.CpuTime();
        var wall = Stopwatch.StartNew();
        for (int i = 0; i < 3; i++)
        {
            await using var user = await ImapAsync("127.0.0.31");
            var (reply, took) = await LoginAsync(user, ServerFixture.User("dave"), ServerFixture.Password, "d");
            Assert.StartsWith("d OK", reply);
            Assert.True(took < TimeSpan.FromSeconds(3), $"a legitimate login during the flood took {took}");
        }

        var cpu = _server.CpuTime() - cpuBefore;
        var elapsed = wall.Elapsed;
        stop.Cancel();
        await Task.WhenAll(flood);

        Assert.True(attempts > 10, $"the flood made only {attempts} attempts");
        // Hashing is bounded per address (one at a time) and overall: 6 flooding addresses cannot use both cores flat out.
        Assert.True(cpu < elapsed * 1.6, $"server used {cpu.TotalSeconds:0.0} s CPU in {elapsed.TotalSeconds:0.0} s during the flood");
    }
}
