using Postern.Protocol.Tests.Support;
using Postern.Storage.Accounts;
using Xunit;

namespace Postern.Protocol.Tests.Accounts;

/// <summary>
/// A password login writes the SCRAM keys an account lacks (accounts from before Postern kept
/// them), or has at a count the operator has since changed (Auth:ScramIterations).
/// </summary>
public sealed class AuthenticatorScramKeyTests
{
    [Fact]
    public async Task A_password_login_writes_keys_for_that_password_once()
    {
        var (store, _, alice) = await TestServer.CreateStoreAsync();
        Assert.True(await store.SetPasswordHashAsync(alice.Address, alice.PasswordHash));
        var auth = new Authenticator(store, new AuthOptions { FailureDelay = TimeSpan.Zero, MaxPenalty = TimeSpan.Zero });

        Assert.Null(await auth.AuthenticateAsync(alice.Address, "wrong", null, default));
        Assert.Null((await store.FindAccountAsync(alice.Address))!.Scram);

        var account = await auth.AuthenticateAsync(alice.Address, "secret", null, default);
        var keys = (await store.FindAccountAsync(alice.Address))!.Scram;
        Assert.NotNull(keys);
        Assert.Equal(keys, account!.Scram);
        Assert.Equal(ScramKeys.Derive("secret", keys.Salt, ScramKeys.DefaultIterations), keys);

        // Written once: the next login leaves them (and their salt) alone.
        await auth.AuthenticateAsync(alice.Address, "secret", null, default);
        Assert.Same(keys.Salt, (await store.FindAccountAsync(alice.Address))!.Scram!.Salt);
    }

    [Fact]
    public async Task Keys_at_another_count_than_the_configured_one_are_rewritten_at_the_next_password_login()
    {
        var (store, _, alice) = await TestServer.CreateStoreAsync();
        Assert.Equal(ScramKeys.DefaultIterations, alice.Scram!.Iterations);
        var auth = new Authenticator(store, new AuthOptions { FailureDelay = TimeSpan.Zero, MaxPenalty = TimeSpan.Zero, ScramIterations = 20_000 });

        Assert.NotNull(await auth.AuthenticateAsync(alice.Address, "secret", null, default));
        var keys = (await store.FindAccountAsync(alice.Address))!.Scram!;
        Assert.Equal(20_000, keys.Iterations);
        Assert.Equal(ScramKeys.Derive("secret", keys.Salt, 20_000), keys);
    }
}
