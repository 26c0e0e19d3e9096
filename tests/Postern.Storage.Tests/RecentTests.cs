using Postern.Storage.Sqlite;
using Postern.Storage.Tests.Support;
using static Postern.Storage.Tests.Support.StoreHelpers;

namespace Postern.Storage.Tests;

/// <summary>
/// \Recent (RFC 3501 2.3.2) as the store keeps it: one "first recent UID" per mailbox, moved up
/// atomically by the session that claims messages, so exactly one session sees each message as
/// recent, also across sessions and restarts.
/// </summary>
public sealed class RecentTests(TempDirectory temp) : IClassFixture<TempDirectory>
{
    [Fact]
    public async Task Each_message_is_claimed_once_and_the_claim_survives_a_restart()
    {
        string dir = temp.NewDataDirectory();
        long inbox;
        var (store, alice) = await OpenWithAliceAsync(dir);
        await using (store)
        {
            inbox = await InboxIdAsync(store, alice.Id);
            await AppendTextAsync(store, inbox, "a");
            await AppendTextAsync(store, inbox, "b");
            Assert.Equal(2, await store.CountRecentAsync(inbox));

            // A read-only look (upTo 0) claims nothing.
            Assert.Equal(1u, await store.ClaimRecentAsync(inbox, 0));
            Assert.Equal(2, await store.CountRecentAsync(inbox));

            // The first session claims 1..2; a second one, racing it, gets nothing of them.
            Assert.Equal(1u, await store.ClaimRecentAsync(inbox, 3));
            Assert.Equal(3u, await store.ClaimRecentAsync(inbox, 3));
            Assert.Equal(0, await store.CountRecentAsync(inbox));

            // A claim never moves the mark down.
            Assert.Equal(3u, await store.ClaimRecentAsync(inbox, 2));
            await AppendTextAsync(store, inbox, "c");
            Assert.Equal(1, await store.CountRecentAsync(inbox));
        }

        await using var reopened = await SqliteMailStore.OpenAsync(dir);
        Assert.Equal(1, await reopened.CountRecentAsync(inbox));
        Assert.Equal(3u, await reopened.ClaimRecentAsync(inbox, 4));
        Assert.Equal(0, await reopened.CountRecentAsync(inbox));
    }

    [Fact]
    public async Task Copies_are_recent_in_the_target_and_a_gone_mailbox_claims_nothing()
    {
        var (store, alice) = await OpenWithAliceAsync(temp.NewDataDirectory());
        await using (store)
        {
            long inbox = await InboxIdAsync(store, alice.Id);
            uint uid = await AppendTextAsync(store, inbox, "a");
            await store.ClaimRecentAsync(inbox, uid + 1);
            var target = await store.CreateMailboxAsync(alice.Id, "Target");
            await store.CopyAsync(inbox, [uid], target.Id);
            Assert.Equal(1, await store.CountRecentAsync(target.Id));
            Assert.Equal(0, await store.CountRecentAsync(inbox));

            await store.DeleteMailboxAsync(alice.Id, "Target");
            Assert.Equal(0u, await store.ClaimRecentAsync(target.Id, 5));
            Assert.Equal(0, await store.CountRecentAsync(target.Id));
        }
    }
}
