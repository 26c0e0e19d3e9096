using Microsoft.Data.Sqlite;
using Postern.Storage.Accounts;
using Postern.Storage.Sqlite;
using Postern.Storage.Tests.Support;
using Postern.Testing;
using static Postern.Storage.Tests.Support.StoreHelpers;

namespace Postern.Storage.Tests;

/// <summary>
/// SCRAM-SHA-256 keys beside the password hash (issue 10 point 1), in the SQLite store and the
/// memory store alike: written with the password, replaced or removed with it, and filled in
/// later only while the account still has the password a login just checked.
/// </summary>
public sealed class ScramKeyTests(TempDirectory temp) : IClassFixture<TempDirectory>
{
    public static TheoryData<string> Stores => ["sqlite", "memory"];

    private static readonly ScramKeys Keys = ScramKeys.Derive("secret");

    private async Task<IMailStore> OpenAsync(string kind)
    {
        IMailStore store = kind == "sqlite" ? await SqliteMailStore.OpenAsync(temp.NewDataDirectory()) : new MemoryMailStore();
        await store.AddDomainAsync("example.org");
        return store;
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Keys_are_stored_with_the_account_and_read_back(string kind)
    {
        await using var store = await OpenAsync(kind);
        var alice = await store.AddAccountAsync("alice@example.org", Hash, Keys);
        var bob = await store.AddAccountAsync("bob@example.org", Hash);

        Assert.Equal(Keys, alice.Scram);
        Assert.Null(bob.Scram);
        var found = (await store.FindAccountAsync("Alice@example.org"))!;
        Assert.Equal(Keys, found.Scram);
        Assert.Equal(Hash, found.PasswordHash);
        Assert.Null((await store.FindAccountAsync("bob@example.org"))!.Scram);
        Assert.Equal([Keys, null], (await store.ListAccountsAsync()).Select(a => a.Scram));
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task A_new_password_replaces_the_keys_or_removes_them(string kind)
    {
        await using var store = await OpenAsync(kind);
        await store.AddAccountAsync("alice@example.org", Hash, Keys);

        var other = ScramKeys.Derive("another password", 8192);
        Assert.True(await store.SetPasswordHashAsync("alice@example.org", "hash-2", other));
        Assert.Equal(("hash-2", other), await HashAndKeysAsync(store));

        // Without new keys the old ones must go: they would still accept the old password.
        Assert.True(await store.SetPasswordHashAsync("alice@example.org", "hash-3"));
        Assert.Equal(("hash-3", (ScramKeys?)null), await HashAndKeysAsync(store));
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Keys_are_filled_in_only_while_the_password_is_the_one_checked(string kind)
    {
        await using var store = await OpenAsync(kind);
        await store.AddAccountAsync("alice@example.org", Hash);

        // A login checked the old password, then `postern user passwd` committed a new one.
        Assert.False(await store.SetScramKeysAsync("alice@example.org", "the hash before passwd", Keys));
        Assert.Null((await store.FindAccountAsync("alice@example.org"))!.Scram);

        Assert.True(await store.SetScramKeysAsync("ALICE@example.org", Hash, Keys));
        Assert.Equal((Hash, Keys), await HashAndKeysAsync(store));

        var again = ScramKeys.Derive("secret", 8192);
        Assert.True(await store.SetScramKeysAsync("alice@example.org", Hash, again));
        Assert.Equal((Hash, again), await HashAndKeysAsync(store));

        Assert.False(await store.SetScramKeysAsync("nobody@example.org", Hash, Keys));
        Assert.False(await store.SetScramKeysAsync("not an address", Hash, Keys));
    }

    [Fact]
    public async Task Removing_an_account_removes_its_keys()
    {
        string dir = temp.NewDataDirectory();
        await using (var store = await SqliteMailStore.OpenAsync(dir))
        {
            await store.AddDomainAsync("example.org");
            await store.AddAccountAsync("alice@example.org", Hash, Keys);
            Assert.Equal(1L, CountKeyRows(dir));
            Assert.True(await store.RemoveAccountAsync("alice@example.org"));
        }

        Assert.Equal(0L, CountKeyRows(dir));
    }

    [Fact]
    public async Task The_database_refuses_a_count_Cyrus_SASL_clients_would_refuse()
    {
        await using var store = await SqliteMailStore.OpenAsync(temp.NewDataDirectory());
        await store.AddDomainAsync("example.org");
        var tooMany = Keys with { Iterations = ScramKeys.MaxIterations + 1 };
        await Assert.ThrowsAsync<SqliteException>(() => store.AddAccountAsync("alice@example.org", Hash, tooMany));
        Assert.Empty(await store.ListAccountsAsync());
        Assert.Throws<ArgumentOutOfRangeException>(() => ScramKeys.Derive("secret", ScramKeys.MaxIterations + 1));
    }

    private static async Task<(string Hash, ScramKeys? Keys)> HashAndKeysAsync(IMailStore store)
    {
        var a = (await store.FindAccountAsync("alice@example.org"))!;
        return (a.PasswordHash, a.Scram);
    }

    private static long CountKeyRows(string dir)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(dir, "store.db"), Pooling = false }.ToString());
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT COUNT(*) FROM scram_keys;";
        return (long)cmd.ExecuteScalar()!;
    }
}
