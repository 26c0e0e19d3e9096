using Postern.Integration.Tests.Support;
using Postern.Storage.Accounts;
using Postern.Storage.Sqlite;

namespace Postern.Integration.Tests.Hostile;

/// <summary>
/// One Postern with default limits for the issue 9 point 7 tests (junk commands, recipients,
/// transactions, content), shared by the classes of <see cref="CountLimitCollection"/>.
/// </summary>
public sealed class CountLimitServer : IAsyncLifetime
{
    public static readonly string[] Users = ["flood", "tx", "longline", "nul", "manyto"];

    public PosternServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await PosternServer.StartNewAsync(users: Users);

    public async Task DisposeAsync() => await Server.DisposeAsync();

    /// <summary>
    /// Adds accounts local0..local{count-1} through the store's administration path (as `postern
    /// user add` does while serve runs), all with one password hash: a thousand `user add` runs,
    /// each hashing its password, would take minutes.
    /// </summary>
    public async Task<string[]> AddLocalAccountsAsync(int count)
    {
        string hash = PasswordHasher.Hash(ServerFixture.Password);
        var addresses = Enumerable.Range(0, count).Select(i => ServerFixture.User("local" + i)).ToArray();
        await using var store = await SqliteMailStore.OpenForAdministrationAsync(Server.DataDir);
        foreach (string address in addresses)
        {
            if (await store.FindAccountAsync(address) is null)
            {
                await store.AddAccountAsync(address, hash);
            }
        }

        return addresses;
    }
}

[CollectionDefinition(Name)]
public sealed class CountLimitCollection : ICollectionFixture<CountLimitServer>
{
    public const string Name = "Postern for count limits";
}
