using System.Net;
using Postern.Storage.Accounts;
using Xunit;

namespace Postern.Protocol.Tests.Imap;

/// <summary>
/// SCRAM must not be the unthrottled way to guess passwords: its failures feed the same
/// per-address penalty as LOGIN and PLAIN (issue 5 point 6), and a success clears it.
/// </summary>
public sealed class ScramPenaltyTests
{
    [Fact]
    public async Task Failed_scram_proofs_raise_the_penalty_and_a_good_one_clears_it()
    {
        var client = IPAddress.Parse("192.0.2.44");
        // The session runs in tasks started from here, so it sees this connection's address.
        AuthClient.Current = client;
        await using var f = await ImapFixture.StartAsync(Postern.Net.TlsMode.Implicit);
        var throttle = f.Auth.Throttle;
        Assert.Equal(TimeSpan.Zero, throttle.PenaltyFor(client, "alice@example.org"));

        Assert.StartsWith("a NO", await ScramAsync(f, "a", "wrong password"));
        Assert.True(throttle.PenaltyFor(client, "alice@example.org") > TimeSpan.Zero, "a failed SCRAM proof must count as a failed login");

        Assert.StartsWith("b OK", await ScramAsync(f, "b", "secret"));
        Assert.Equal(TimeSpan.Zero, throttle.PenaltyFor(client, "alice@example.org"));
    }

    private static async Task<string> ScramAsync(ImapFixture f, string tag, string password) =>
        (await ScramClient.AuthenticateAsync(f, tag, "alice@example.org", password)).Tagged;
}
