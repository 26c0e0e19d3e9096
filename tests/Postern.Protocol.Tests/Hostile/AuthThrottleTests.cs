using System.Net;
using Postern.Storage.Accounts;
using Xunit;

namespace Postern.Protocol.Tests.Hostile;

/// <summary>The Dovecot-style penalty, with a clock the test moves by hand.</summary>
public sealed class AuthThrottleTests
{
    private static readonly IPAddress Attacker = IPAddress.Parse("192.0.2.1");
    private static readonly IPAddress Home = IPAddress.Parse("192.0.2.2");
    private static readonly IPAddress Elsewhere = IPAddress.Parse("192.0.2.3");
    private long _now = 1_000_000;

    private AuthThrottle Throttle(int accountThreshold = 5) => new(new AuthOptions
    {
        FailureDelay = TimeSpan.FromSeconds(2),
        MaxPenalty = TimeSpan.FromSeconds(15),
        PenaltyWindow = TimeSpan.FromHours(1),
        AccountFailureThreshold = accountThreshold,
    }, () => _now);

    [Fact]
    public void The_penalty_doubles_per_failure_from_an_address_up_to_the_cap()
    {
        var t = Throttle(accountThreshold: 1000);
        var waits = new List<double>();
        for (int i = 0; i < 6; i++)
        {
            waits.Add(t.PenaltyFor(Attacker, "alice@example.org").TotalSeconds);
            t.Failed(Attacker, "alice@example.org", "guess" + i);
        }

        Assert.Equal([0, 2, 4, 8, 15, 15], waits);
        Assert.Equal(TimeSpan.Zero, t.PenaltyFor(Elsewhere, "alice@example.org"));
    }

    [Fact]
    public void Retrying_the_same_wrong_password_does_not_raise_the_penalty()
    {
        var t = Throttle(accountThreshold: 1000);
        for (int i = 0; i < 5; i++)
        {
            t.Failed(Attacker, "alice@example.org", "old password");
        }

        Assert.Equal(TimeSpan.FromSeconds(2), t.PenaltyFor(Attacker, "alice@example.org"));
    }

    [Fact]
    public void Penalties_fade_after_the_window_and_a_success_clears_its_address()
    {
        var t = Throttle(accountThreshold: 1000);
        t.Failed(Attacker, "a@example.org", "1");
        t.Failed(Attacker, "a@example.org", "2");
        Assert.Equal(TimeSpan.FromSeconds(4), t.PenaltyFor(Attacker, "a@example.org"));
        _now += (long)TimeSpan.FromHours(1).TotalMilliseconds + 1;
        Assert.Equal(TimeSpan.Zero, t.PenaltyFor(Attacker, "a@example.org"));

        t.Failed(Home, "a@example.org", "typo");
        Assert.Equal(TimeSpan.FromSeconds(2), t.PenaltyFor(Home, "a@example.org"));
        t.Succeeded(Home, "a@example.org");
        Assert.Equal(TimeSpan.Zero, t.PenaltyFor(Home, "a@example.org"));
    }

    [Fact]
    public void Spraying_one_account_slows_unknown_addresses_but_never_where_the_user_logged_in()
    {
        var t = Throttle(accountThreshold: 5);
        t.Succeeded(Home, "bob@example.org");
        for (int i = 0; i < 20; i++)
        {
            t.Failed(IPAddress.Parse($"198.51.100.{i + 1}"), "bob@example.org", "spray" + i);
        }

        // 20 failures / threshold 5 = 4 steps: 2 * 2^3 = 16 s, capped at 15 s; a wait, never a refusal.
        Assert.Equal(TimeSpan.FromSeconds(15), t.PenaltyFor(Elsewhere, "bob@example.org"));
        Assert.Equal(TimeSpan.Zero, t.PenaltyFor(Home, "bob@example.org"));
        Assert.Equal(TimeSpan.Zero, t.PenaltyFor(Elsewhere, "carol@example.org"));
    }

    [Fact]
    public void IPv6_addresses_share_a_penalty_per_48_bit_prefix()
    {
        var t = Throttle(accountThreshold: 1000);
        t.Failed(IPAddress.Parse("2001:db8:1:1::1"), "a@example.org", "x");
        Assert.Equal(TimeSpan.FromSeconds(2), t.PenaltyFor(IPAddress.Parse("2001:db8:1:ffff::2"), "a@example.org"));
        Assert.Equal(TimeSpan.Zero, t.PenaltyFor(IPAddress.Parse("2001:db8:2::1"), "a@example.org"));
    }

    [Fact]
    public async Task One_check_per_address_runs_at_a_time_and_other_addresses_are_not_held()
    {
        var t = Throttle();
        var first = await t.EnterAsync(Attacker, default);
        var second = t.EnterAsync(Attacker, default);
        var other = t.EnterAsync(Elsewhere, default);
        Assert.True(other.IsCompletedSuccessfully);
        Assert.False(second.IsCompleted);
        first.Dispose();
        (await second.WaitAsync(TimeSpan.FromSeconds(5))).Dispose();
        (await other).Dispose();
    }
}
