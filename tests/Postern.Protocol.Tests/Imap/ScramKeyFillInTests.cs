using Postern.Storage.Accounts;
using Xunit;

namespace Postern.Protocol.Tests.Imap;

/// <summary>
/// An account from before SCRAM keys (issue 10 point 1): SCRAM fails cleanly, with the same
/// answer as a wrong password and the session still usable; one LOGIN with the password writes
/// the keys, and SCRAM works from the next session on, announcing the keys' iteration count.
/// </summary>
public sealed class ScramKeyFillInTests
{
    [Fact]
    public async Task Scram_fails_cleanly_until_a_password_login_writes_the_keys_then_works()
    {
        await using var f = await ImapFixture.StartAsync(Postern.Net.TlsMode.Implicit);
        // What the schema upgrade leaves: the password hash, no keys.
        Assert.True(await f.Store.SetPasswordHashAsync("alice@example.org", f.Alice.PasswordHash));

        var (serverFirst, tagged) = await ScramClient.AuthenticateAsync(f, "a", "alice@example.org", "secret");
        Assert.StartsWith("a NO [AUTHENTICATIONFAILED]", tagged);
        Assert.EndsWith($",i={ScramKeys.DefaultIterations}", serverFirst);

        Assert.StartsWith("b OK", (await f.CommandAsync("b", "LOGIN alice@example.org secret"))[^1]);
        var keys = (await f.Store.FindAccountAsync("alice@example.org"))!.Scram;
        Assert.NotNull(keys);

        await using var next = await f.NewSessionAsync();
        (serverFirst, tagged) = await ScramClient.AuthenticateAsync(next, "c", "alice@example.org", "secret");
        Assert.StartsWith("c OK", tagged);
        Assert.EndsWith($",s={Convert.ToBase64String(keys.Salt)},i={keys.Iterations}", serverFirst);
        Assert.StartsWith("d OK", (await next.CommandAsync("d", "SELECT INBOX"))[^1]);
    }

    [Fact]
    public async Task A_wrong_password_writes_no_keys()
    {
        await using var f = await ImapFixture.StartAsync(Postern.Net.TlsMode.Implicit);
        Assert.True(await f.Store.SetPasswordHashAsync("alice@example.org", f.Alice.PasswordHash));
        Assert.StartsWith("a NO", (await f.CommandAsync("a", "LOGIN alice@example.org wrong"))[^1]);
        Assert.Null((await f.Store.FindAccountAsync("alice@example.org"))!.Scram);
    }
}
