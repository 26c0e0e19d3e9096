using Postern.Storage.Sqlite;
using Postern.Storage.Tests.Support;
using static Postern.Storage.Tests.Support.StoreHelpers;

namespace Postern.Storage.Tests;

/// <summary>The \Recent mark is kept with the mailbox in the database, so a restart shows no message as recent twice.</summary>
public sealed class SqliteRecentTests(TempDirectory temp) : IClassFixture<TempDirectory>
{
    [Fact]
    public async Task A_claim_survives_a_restart()
    {
        string dir = temp.NewDataDirectory();
        long inbox;
        var (store, alice) = await OpenWithAliceAsync(dir);
        await using (store)
        {
            inbox = await InboxIdAsync(store, alice.Id);
            await AppendTextAsync(store, inbox, "a");
            await AppendTextAsync(store, inbox, "b");
            Assert.Equal(1u, await store.ClaimRecentAsync(inbox, 3));
            await AppendTextAsync(store, inbox, "c");
        }

        await using var reopened = await SqliteMailStore.OpenAsync(dir);
        Assert.Equal(1, await reopened.CountRecentAsync(inbox));
        Assert.Equal(3u, await reopened.ClaimRecentAsync(inbox, 4));
        Assert.Equal(0, await reopened.CountRecentAsync(inbox));
    }
}
