
namespace Postern.Storage.Tests.Contract;

public abstract partial class StoreContract
{
    [Fact]
    public async Task Copy_shares_bodies_and_keeps_flags_keywords_and_date()
    {
        var (store, alice) = await OpenWithAliceAsync();
        await using (store)
        {
            long inbox = await InboxIdAsync(store, alice.Id);
            var target = await store.CreateMailboxAsync(alice.Id, "Target");
            await AppendTextAsync(store, target.Id, "already there");
            var date = new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.FromHours(2));
            for (int i = 1; i <= 4; i++)
            {
                await store.AppendAsync(inbox, new MemoryStream(System.Text.Encoding.ASCII.GetBytes("body" + i)), MessageFlags.Seen, [$"$label{i}"], date.AddDays(i));
            }

            await store.SetFlagsAsync(inbox, [3], MessageFlags.Flagged, FlagChange.Add);
            Assert.Equal(5, StoredBodies(store));

            // Requested out of order, with a missing UID: copied in source-UID order.
            var result = await store.CopyAsync(inbox, [4, 99, 1, 3], target.Id);
            Assert.Equal(target.UidValidity, result.TargetUidValidity);
            Assert.Equal([1u, 3u, 4u], result.SourceUids);
            Assert.Equal([2u, 3u, 4u], result.TargetUids);

            // No new body files: the copies point at the same ones.
            Assert.Equal(5, StoredBodies(store));

            var source = await store.ListMessagesAsync(inbox);
            var copies = (await store.ListMessagesAsync(target.Id)).Skip(1).ToList();
            for (int i = 0; i < 3; i++)
            {
                var original = source.Single(m => m.Uid == result.SourceUids[i]);
                var copy = copies[i];
                Assert.Equal(result.TargetUids[i], copy.Uid);
                Assert.Equal((original.Flags, original.InternalDate, original.InternalDate.Offset, original.Size), (copy.Flags, copy.InternalDate, copy.InternalDate.Offset, copy.Size));
                Assert.Equal(original.Keywords, copy.Keywords);
                Assert.Equal(await ReadBodyAsync(store, inbox, original.Uid), await ReadBodyAsync(store, target.Id, copy.Uid));
            }

            Assert.Equal(4, source.Count);
            Assert.Equal(5u, (await store.GetMailboxAsync(alice.Id, "Target"))!.UidNext);

            // A body is deleted only when its last message goes.
            await store.SetFlagsAsync(inbox, [1, 2, 3, 4], MessageFlags.Deleted, FlagChange.Add);
            await store.ExpungeAsync(inbox);
            Assert.Equal(4, StoredBodies(store));
            Assert.Equal("body1"u8.ToArray(), await ReadBodyAsync(store, target.Id, 2));
            await store.SetFlagsAsync(target.Id, [2], MessageFlags.Deleted, FlagChange.Add);
            await store.ExpungeAsync(target.Id);
            Assert.Equal(3, StoredBodies(store));
        }
    }

    [Fact]
    public async Task Copy_into_the_same_mailbox_gives_new_uids()
    {
        var (store, alice) = await OpenWithAliceAsync();
        await using (store)
        {
            long inbox = await InboxIdAsync(store, alice.Id);
            await AppendTextAsync(store, inbox, "a");
            await AppendTextAsync(store, inbox, "b");
            var result = await store.CopyAsync(inbox, [1, 2], inbox);
            Assert.Equal([1u, 2u], result.SourceUids);
            Assert.Equal([3u, 4u], result.TargetUids);
            Assert.Equal("b"u8.ToArray(), await ReadBodyAsync(store, inbox, 4));
            Assert.Equal(2, StoredBodies(store));
        }
    }

    [Fact]
    public async Task Copy_and_move_stay_within_one_account()
    {
        var (store, alice) = await OpenWithAliceAsync();
        await using (store)
        {
            long inbox = await InboxIdAsync(store, alice.Id);
            await AppendTextAsync(store, inbox, "private");
            var bob = await store.AddAccountAsync("bob@example.org", Hash);
            long bobInbox = await InboxIdAsync(store, bob.Id);

            await Assert.ThrowsAsync<ArgumentException>(() => store.CopyAsync(inbox, [1], bobInbox));
            await Assert.ThrowsAsync<ArgumentException>(() => store.MoveAsync(inbox, [1], bobInbox));
            Assert.Equal(MailboxError.NotFound, (await Assert.ThrowsAsync<MailboxException>(() => store.CopyAsync(inbox, [1], 987654))).Error);
            Assert.Empty(await store.ListMessagesAsync(bobInbox));
            Assert.Single(await store.ListMessagesAsync(inbox));
        }
    }

    [Fact]
    public async Task Move_leaves_nothing_in_the_source_and_records_tombstones()
    {
        var (store, alice) = await OpenWithAliceAsync();
        await using (store)
        {
            long inbox = await InboxIdAsync(store, alice.Id);
            var archive = (await store.GetMailboxAsync(alice.Id, "Archive"))!;
            await AppendTextAsync(store, inbox, "one", MessageFlags.Seen);
            await AppendTextAsync(store, inbox, "two");
            await AppendTextAsync(store, inbox, "three");
            ulong before = (await store.GetMailboxAsync(alice.Id, "INBOX"))!.HighestModSeq;

            var result = await store.MoveAsync(inbox, [3, 1], archive.Id);
            Assert.Equal([1u, 3u], result.SourceUids);
            Assert.Equal([1u, 2u], result.TargetUids);
            Assert.Equal(archive.UidValidity, result.TargetUidValidity);

            Assert.Equal([2u], (await store.ListMessagesAsync(inbox)).Select(m => m.Uid));
            Assert.Equal([1u, 3u], await store.ExpungedSinceAsync(inbox, before));
            Assert.True((await store.GetMailboxAsync(alice.Id, "INBOX"))!.HighestModSeq >= before + 2);

            var moved = await store.ListMessagesAsync(archive.Id);
            Assert.Equal([(1u, MessageFlags.Seen), (2u, MessageFlags.None)], moved.Select(m => (m.Uid, m.Flags)));
            Assert.Equal("three"u8.ToArray(), await ReadBodyAsync(store, archive.Id, 2));
            Assert.Null(await store.OpenMessageAsync(inbox, 1));
            Assert.Equal(3, StoredBodies(store));

            // Nothing to move: nothing happens.
            var empty = await store.MoveAsync(inbox, [1, 3], archive.Id);
            Assert.Empty(empty.SourceUids);
            Assert.Equal(2, (await store.GetMailboxAsync(alice.Id, "Archive"))!.MessageCount);
        }
    }
}
