namespace Postern.Storage.Tests.Contract;

/// <summary>
/// \Recent (RFC 3501 2.3.2) as a store keeps it: one "first recent UID" per mailbox, moved up
/// atomically by the session that claims messages, so exactly one session sees each as recent.
/// </summary>
public abstract partial class StoreContract
{
    [Fact]
    public async Task Each_message_is_claimed_as_recent_once()
    {
        var (store, alice) = await OpenWithAliceAsync();
        await using (store)
        {
            long inbox = await InboxIdAsync(store, alice.Id);
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

            // A claim never moves the mark down; new mail is recent again.
            Assert.Equal(3u, await store.ClaimRecentAsync(inbox, 2));
            await AppendTextAsync(store, inbox, "c");
            Assert.Equal(1, await store.CountRecentAsync(inbox));
        }
    }

    [Fact]
    public async Task Copies_are_recent_in_the_target_and_a_gone_mailbox_claims_nothing()
    {
        var (store, alice) = await OpenWithAliceAsync();
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
