
namespace Postern.Storage.Tests.Contract;

public abstract partial class StoreContract
{
    [Fact]
    public async Task Appends_and_real_flag_changes_raise_modseq_no_ops_do_not()
    {
        var (store, alice) = await OpenWithAliceAsync();
        await using (store)
        {
            long inbox = await InboxIdAsync(store, alice.Id);
            ulong start = (await store.GetMailboxAsync(alice.Id, "INBOX"))!.HighestModSeq;
            Assert.True(start >= 1);

            uint a = await AppendTextAsync(store, inbox, "a");
            uint b = await AppendTextAsync(store, inbox, "b", MessageFlags.Seen);
            var list = await store.ListMessagesAsync(inbox);
            Assert.True(list[0].ModSeq > start);
            Assert.True(list[1].ModSeq > list[0].ModSeq);
            Assert.Equal(list[1].ModSeq, (await store.GetMailboxAsync(alice.Id, "INBOX"))!.HighestModSeq);

            // b is already \Seen: only a changes, and only a gets a new MODSEQ.
            var update = await store.SetFlagsAsync(inbox, [a, b], MessageFlags.Seen, [], FlagChange.Add, null);
            var changed = Assert.Single(update.Changed);
            Assert.Equal(a, changed.Uid);
            Assert.True(changed.ModSeq > list[1].ModSeq);
            var after = await store.ListMessagesAsync(inbox);
            Assert.Equal(list[1].ModSeq, after[1].ModSeq);
            Assert.Equal(changed.ModSeq, (await store.GetMailboxAsync(alice.Id, "INBOX"))!.HighestModSeq);

            // A no-op change leaves HIGHESTMODSEQ alone.
            await store.SetFlagsAsync(inbox, [a, b], MessageFlags.Seen, FlagChange.Add);
            Assert.Equal(changed.ModSeq, (await store.GetMailboxAsync(alice.Id, "INBOX"))!.HighestModSeq);

            // Several messages changed at once each get their own value.
            var both = await store.SetFlagsAsync(inbox, [a, b], MessageFlags.Flagged, [], FlagChange.Add, null);
            Assert.Equal(2, both.Changed.Select(m => m.ModSeq).Distinct().Count());
            Assert.All(both.Changed, m => Assert.True(m.ModSeq > changed.ModSeq));
        }
    }

    [Fact]
    public async Task Delivery_and_copy_in_raise_the_target_modseq()
    {
        var (store, alice) = await OpenWithAliceAsync();
        await using (store)
        {
            long inbox = await InboxIdAsync(store, alice.Id);
            uint first = await AppendTextAsync(store, inbox, "a");
            ulong before = (await store.GetMailboxAsync(alice.Id, "INBOX"))!.HighestModSeq;

            await store.AcceptAsync(new InboundMessage("", [alice.Id], []), new MemoryStream("delivered"u8.ToArray()));
            var delivered = (await store.ListMessagesAsync(inbox)).Last();
            Assert.True(delivered.ModSeq > before);
            Assert.Equal(delivered.ModSeq, (await store.GetMailboxAsync(alice.Id, "INBOX"))!.HighestModSeq);

            var archive = (await store.GetMailboxAsync(alice.Id, "Archive"))!;
            await AppendTextAsync(store, archive.Id, "x");
            ulong archiveBefore = (await store.GetMailboxAsync(alice.Id, "Archive"))!.HighestModSeq;
            await store.CopyAsync(inbox, [first, delivered.Uid], archive.Id);
            var copies = (await store.ListMessagesAsync(archive.Id)).Skip(1).ToList();
            Assert.True(copies[0].ModSeq > archiveBefore);
            Assert.True(copies[1].ModSeq > copies[0].ModSeq);
            Assert.Equal(copies[1].ModSeq, (await store.GetMailboxAsync(alice.Id, "Archive"))!.HighestModSeq);

            // A copy changes nothing in the source.
            Assert.Equal(delivered.ModSeq, (await store.GetMailboxAsync(alice.Id, "INBOX"))!.HighestModSeq);
        }
    }

    [Fact]
    public async Task Unchangedsince_refuses_messages_changed_later()
    {
        var (store, alice) = await OpenWithAliceAsync();
        await using (store)
        {
            long inbox = await InboxIdAsync(store, alice.Id);
            uint a = await AppendTextAsync(store, inbox, "a");
            uint b = await AppendTextAsync(store, inbox, "b");
            ulong seen = (await store.ListMessagesAsync(inbox))[1].ModSeq;

            // Another session changes b after our client saw seen.
            await store.SetFlagsAsync(inbox, [b], MessageFlags.Flagged, FlagChange.Add);

            var result = await store.SetFlagsAsync(inbox, [a, b, 99], MessageFlags.Deleted, [], FlagChange.Add, seen);
            Assert.Equal([a], result.Changed.Select(m => m.Uid));
            Assert.Equal([b], result.Failed);
            var list = await store.ListMessagesAsync(inbox);
            Assert.Equal([MessageFlags.Deleted, MessageFlags.Flagged], list.Select(m => m.Flags));

            // UNCHANGEDSINCE 0 fails every message (RFC 7162 3.1.3).
            var none = await store.SetFlagsAsync(inbox, [a], MessageFlags.Seen, [], FlagChange.Add, 0);
            Assert.Empty(none.Changed);
            Assert.Equal([a], none.Failed);
        }
    }

    [Fact]
    public async Task Expunge_records_tombstones_for_expunged_since()
    {
        var (store, alice) = await OpenWithAliceAsync();
        await using (store)
        {
            long inbox = await InboxIdAsync(store, alice.Id);
            for (int i = 0; i < 5; i++)
            {
                await AppendTextAsync(store, inbox, "m" + i, MessageFlags.Deleted);
            }

            ulong before = (await store.GetMailboxAsync(alice.Id, "INBOX"))!.HighestModSeq;
            Assert.Empty(await store.ExpungedSinceAsync(inbox, 0));

            await store.ExpungeAsync(inbox, [2, 4]);
            ulong middle = (await store.GetMailboxAsync(alice.Id, "INBOX"))!.HighestModSeq;
            Assert.True(middle >= before + 2);
            await store.ExpungeAsync(inbox, [1]);
            ulong end = (await store.GetMailboxAsync(alice.Id, "INBOX"))!.HighestModSeq;
            Assert.True(end > middle);

            Assert.Equal([1u, 2u, 4u], await store.ExpungedSinceAsync(inbox, 0));
            Assert.Equal([1u, 2u, 4u], await store.ExpungedSinceAsync(inbox, before));
            Assert.Equal([1u], await store.ExpungedSinceAsync(inbox, middle));
            Assert.Empty(await store.ExpungedSinceAsync(inbox, end));
            Assert.Empty(await store.ExpungedSinceAsync(inbox, ulong.MaxValue));
        }
    }

    [Fact]
    public async Task Modseq_strictly_increases_under_concurrent_appends_and_flag_changes()
    {
        var (store, alice) = await OpenWithAliceAsync();
        await using (store)
        {
            long inbox = await InboxIdAsync(store, alice.Id);
            for (int i = 0; i < 4; i++)
            {
                await AppendTextAsync(store, inbox, "seed" + i);
            }

            // Each task records the MODSEQ values it got, in the order it got them.
            var perTask = new List<ulong>[4];
            var tasks = Enumerable.Range(0, 4).Select(t => Task.Run(async () =>
            {
                List<ulong> mine = [];
                perTask[t] = mine;
                for (int i = 0; i < 25; i++)
                {
                    if (t % 2 == 0)
                    {
                        uint uid = await AppendTextAsync(store, inbox, $"t{t}-{i}");
                        mine.Add((await store.ListMessagesAsync(inbox)).Single(m => m.Uid == uid).ModSeq);
                        continue;
                    }

                    // Toggle so every call really changes the message.
                    var change = i % 2 == 0 ? FlagChange.Add : FlagChange.Remove;
                    var result = await store.SetFlagsAsync(inbox, [(uint)t], MessageFlags.Flagged, [$"k{t}"], change, null);
                    mine.Add(Assert.Single(result.Changed).ModSeq);
                }
            })).ToArray();
            await Task.WhenAll(tasks);

            // Within each task strictly increasing; across all tasks never repeated.
            Assert.All(perTask, mine => Assert.True(mine.Zip(mine.Skip(1)).All(p => p.First < p.Second)));
            var all = perTask.SelectMany(m => m).ToList();
            Assert.Equal(100, all.Distinct().Count());

            var list = await store.ListMessagesAsync(inbox);
            Assert.Equal(54, list.Count);
            var appended = list.Where(m => m.Uid > 4).ToList();
            Assert.True(appended.Zip(appended.Skip(1)).All(p => p.First.ModSeq < p.Second.ModSeq));
            Assert.Equal(all.Max(), (await store.GetMailboxAsync(alice.Id, "INBOX"))!.HighestModSeq);
        }
    }
}
