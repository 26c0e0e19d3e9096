using Postern.Storage.Tests.Support;

namespace Postern.Storage.Tests.Contract;

/// <summary>
/// The <see cref="IMailStore"/> contract as tests, one partial file per concern
/// (StoreContract.Messages.cs, .Keywords.cs, .Limits.cs, ...). Every store runs all of it: its test
/// class derives from this one and says how to open a fresh, empty store
/// (<see cref="SqliteStoreContract"/>, <see cref="MemoryStoreContract"/>), so a new backend
/// inherits the whole suite with one small subclass. Tests of what only one store has (files on
/// disk, migrations, fsync) live beside it, named after it (Sqlite*Tests).
/// </summary>
public abstract partial class StoreContract
{
    /// <summary>Opens a new, empty store of the kind under test; the test disposes it.</summary>
    protected abstract Task<IMailStore> OpenStoreAsync();

    /// <summary>
    /// How many message bodies <paramref name="store"/> keeps (one per message, or fewer where copies,
    /// deliveries to several accounts and the outbound queue share one), so tests can check that
    /// copies share and that removed mail frees its body.
    /// </summary>
    protected abstract int StoredBodies(IMailStore store);

    /// <summary>A fresh store with domain example.org and account alice@example.org.</summary>
    protected async Task<(IMailStore Store, Account Alice)> OpenWithAliceAsync()
    {
        var store = await OpenStoreAsync();
        await store.AddDomainAsync("example.org");
        var alice = await store.AddAccountAsync("alice@example.org", StoreHelpers.Hash);
        return (store, alice);
    }

    protected static Task<long> InboxIdAsync(IMailStore store, long accountId) => StoreHelpers.InboxIdAsync(store, accountId);

    protected static Task<uint> AppendTextAsync(IMailStore store, long mailboxId, string text, MessageFlags flags = MessageFlags.None) =>
        StoreHelpers.AppendTextAsync(store, mailboxId, text, flags);

    protected static Task<byte[]> ReadBodyAsync(IMailStore store, long mailboxId, uint uid) => StoreHelpers.ReadBodyAsync(store, mailboxId, uid);

    protected const string Hash = StoreHelpers.Hash;
}

/// <summary>The contract against the embedded SQLite store, one data folder per test.</summary>
public sealed class SqliteStoreContract(TempDirectory temp) : StoreContract, IClassFixture<TempDirectory>
{
    private readonly Dictionary<IMailStore, string> _folders = [];

    protected override async Task<IMailStore> OpenStoreAsync()
    {
        string dir = temp.NewDataDirectory();
        var store = await Sqlite.SqliteMailStore.OpenAsync(dir);
        _folders[store] = dir;
        return store;
    }

    /// <summary>Body files in messages/; there must never be an unfinished one left in messages/tmp.</summary>
    protected override int StoredBodies(IMailStore store)
    {
        string dir = _folders[store];
        Assert.Empty(StoreHelpers.TmpFiles(dir));
        return StoreHelpers.BodyFiles(dir).Length;
    }
}

/// <summary>The contract against the in-memory store the protocol tests use.</summary>
public sealed class MemoryStoreContract : StoreContract
{
    protected override Task<IMailStore> OpenStoreAsync() => Task.FromResult<IMailStore>(new MemoryMailStore());

    protected override int StoredBodies(IMailStore store) => ((MemoryMailStore)store).StoredBodies;
}
