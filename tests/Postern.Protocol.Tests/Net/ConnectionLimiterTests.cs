using System.Net;
using Postern.Net;
using Xunit;

namespace Postern.Protocol.Tests.Net;

/// <summary>
/// Connection caps taken at accept and given back at close: in total and per address (dropped),
/// unauthenticated per address and new per minute (refused in words), per account and address (at login).
/// </summary>
public sealed class ConnectionLimiterTests
{
    private static readonly IPAddress A = IPAddress.Parse("192.0.2.1");
    private static readonly IPAddress B = IPAddress.Parse("192.0.2.2");

    private static ConnectionLimits Generous(Action<ConnectionLimits>? change = null)
    {
        var limits = new ConnectionLimits { MaxNewConnectionsPerAddressPerMinute = 0 };
        change?.Invoke(limits);
        return limits;
    }

    private static ConnectionSlot Admitted(ConnectionLimiter limiter, IPAddress address)
    {
        var admission = limiter.Admit(address);
        Assert.Equal(AdmissionVerdict.Admitted, admission.Verdict);
        return admission.Slot!;
    }

    [Fact]
    public void One_address_cannot_take_more_than_its_share_and_others_are_still_served()
    {
        var limiter = new ConnectionLimiter(Generous(l => { l.MaxConnections = 10; l.MaxConnectionsPerAddress = 2; }), null);
        Admitted(limiter, A);
        Admitted(limiter, A);
        var third = limiter.Admit(A);
        Assert.Equal(AdmissionVerdict.Dropped, third.Verdict);
        Assert.Equal("Limits:MaxConnectionsPerAddress", third.Limit);
        Assert.Null(third.Slot);
        Admitted(limiter, B);
        Assert.Equal(3, limiter.Open);
    }

    [Fact]
    public void The_total_cap_holds_across_addresses_and_released_slots_are_reusable()
    {
        var limiter = new ConnectionLimiter(Generous(l => { l.MaxConnections = 3; l.MaxConnectionsPerAddress = 3; }), null);
        var first = Admitted(limiter, A);
        Admitted(limiter, A);
        Admitted(limiter, B);
        Assert.Equal("Limits:MaxConnections", limiter.Admit(B).Limit);
        first.Dispose();
        first.Dispose(); // twice gives back once
        Admitted(limiter, B);
        Assert.Equal(3, limiter.Open);
    }

    [Fact]
    public async Task Concurrent_admit_and_release_leave_no_slot_behind()
    {
        var limiter = new ConnectionLimiter(Generous(l => { l.MaxConnections = 1000; l.MaxConnectionsPerAddress = 1000; l.MaxUnauthenticatedConnectionsPerAddress = 1000; }), null);
        await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() =>
        {
            for (int n = 0; n < 5000; n++)
            {
                var slot = limiter.Admit(A).Slot;
                if (slot is not null && n % 2 == 0)
                {
                    slot.TryLogIn(MailProtocol.Imap, i);
                }

                slot?.Dispose();
            }
        })));
        Assert.Equal(0, limiter.Open);
        // The per-address and unauthenticated counts went back to zero too: the full share is available again.
        for (int i = 0; i < 1000; i++)
        {
            Admitted(limiter, A);
        }
    }

    [Fact]
    public void Past_the_unauthenticated_cap_a_connection_is_refused_in_words_and_a_login_makes_room()
    {
        var limiter = new ConnectionLimiter(Generous(l => l.MaxUnauthenticatedConnectionsPerAddress = 2), null);
        var first = Admitted(limiter, A);
        Admitted(limiter, A);
        var refused = limiter.Admit(A);
        Assert.Equal(AdmissionVerdict.Refused, refused.Verdict);
        Assert.Equal("Limits:MaxUnauthenticatedConnectionsPerAddress", refused.Limit);
        Assert.Equal(2, refused.Max);
        // The refused connection holds a slot while it says so (its handshake costs a socket).
        Assert.Equal(3, limiter.Open);
        refused.Slot!.Dispose();

        Admitted(limiter, B);
        Assert.True(first.TryLogIn(MailProtocol.Imap, 7));
        Admitted(limiter, A);
    }

    [Fact]
    public void Logins_of_one_account_from_one_address_are_capped_per_protocol()
    {
        var limiter = new ConnectionLimiter(Generous(l => l.MaxConnectionsPerAccountAndAddress = 2), null);
        Assert.True(Admitted(limiter, A).TryLogIn(MailProtocol.Imap, 1));
        var second = Admitted(limiter, A);
        Assert.True(second.TryLogIn(MailProtocol.Imap, 1));
        Assert.False(Admitted(limiter, A).TryLogIn(MailProtocol.Imap, 1));

        // Another account, another protocol, another address: each counted on its own.
        Assert.True(Admitted(limiter, A).TryLogIn(MailProtocol.Imap, 2));
        Assert.True(Admitted(limiter, A).TryLogIn(MailProtocol.Submission, 1));
        Assert.True(Admitted(limiter, B).TryLogIn(MailProtocol.Imap, 1));

        second.Dispose();
        Assert.True(Admitted(limiter, A).TryLogIn(MailProtocol.Imap, 1));
    }

    [Fact]
    public void New_connections_per_minute_are_refused_in_words_then_dropped_and_allowed_again_next_minute()
    {
        long now = 1_000;
        var limiter = new ConnectionLimiter(new ConnectionLimits { MaxNewConnectionsPerAddressPerMinute = 3 }, null, () => now);
        for (int i = 0; i < 3; i++)
        {
            Admitted(limiter, A).Dispose();
        }

        for (int i = 0; i < 3; i++)
        {
            var over = limiter.Admit(A);
            Assert.Equal(AdmissionVerdict.Refused, over.Verdict);
            Assert.Equal("Limits:MaxNewConnectionsPerAddressPerMinute", over.Limit);
            over.Slot!.Dispose();
        }

        var flood = limiter.Admit(A);
        Assert.Equal(AdmissionVerdict.Dropped, flood.Verdict);
        Assert.Equal("Limits:MaxNewConnectionsPerAddressPerMinute", flood.Limit);

        // Counted per address, and a new window starts after a minute.
        Admitted(limiter, B);
        now += 60_000;
        Admitted(limiter, A);
        Assert.Equal(2, limiter.Open);
    }
}
