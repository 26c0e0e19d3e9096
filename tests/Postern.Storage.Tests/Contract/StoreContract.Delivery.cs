
namespace Postern.Storage.Tests.Contract;

public abstract partial class StoreContract
{
    [Fact]
    public async Task Accept_delivers_to_each_local_inbox_and_queues_remote_with_one_body_file()
    {
        var (store, alice) = await OpenWithAliceAsync();
        await using (store)
        {
            var bob = await store.AddAccountAsync("bob@example.org", Hash);
            byte[] body = "From: x@remote.example\r\nSubject: hi\r\n\r\nbody\0\r\n"u8.ToArray();
            var before = DateTimeOffset.UtcNow.AddSeconds(-1);

            // alice twice: she must still get one copy.
            await store.AcceptAsync(
                new InboundMessage("x@remote.example", [alice.Id, bob.Id, alice.Id], ["carol@remote.example", "dave@other.example"]),
                new MemoryStream(body));

            foreach (var account in new[] { alice, bob })
            {
                long inbox = await InboxIdAsync(store, account.Id);
                var message = Assert.Single(await store.ListMessagesAsync(inbox));
                Assert.Equal((1u, MessageFlags.None, (long)body.Length), (message.Uid, message.Flags, message.Size));
                Assert.InRange(message.InternalDate, before, DateTimeOffset.UtcNow.AddSeconds(1));
                Assert.Equal(body, await ReadBodyAsync(store, inbox, 1));
            }

            Assert.Equal(1, await store.CountQueuedAsync());
            Assert.Equal(1, StoredBodies(store));

            // Expunging one copy keeps the file for the others.
            long aliceInbox = await InboxIdAsync(store, alice.Id);
            await store.SetFlagsAsync(aliceInbox, [1], MessageFlags.Deleted, FlagChange.Add);
            Assert.Equal([1u], await store.ExpungeAsync(aliceInbox));
            Assert.Equal(1, StoredBodies(store));
            Assert.Equal(body, await ReadBodyAsync(store, await InboxIdAsync(store, bob.Id), 1));
        }
    }

    [Fact]
    public async Task Accept_for_local_only_does_not_queue()
    {
        var (store, alice) = await OpenWithAliceAsync();
        await using (store)
        {
            await store.AcceptAsync(new InboundMessage("", [alice.Id], []), new MemoryStream("x"u8.ToArray()));
            Assert.Equal(0, await store.CountQueuedAsync());
            Assert.Equal(1, (await store.GetMailboxAsync(alice.Id, "INBOX"))!.MessageCount);
        }
    }

    [Fact]
    public async Task Accept_for_an_unknown_account_stores_nothing()
    {
        var (store, alice) = await OpenWithAliceAsync();
        await using (store)
        {
            await Assert.ThrowsAsync<InvalidOperationException>(() =>
                store.AcceptAsync(new InboundMessage("", [alice.Id, 424242], ["x@remote.example"]), new MemoryStream("x"u8.ToArray())));

            Assert.Empty(await store.ListMessagesAsync(await InboxIdAsync(store, alice.Id)));
            Assert.Equal(0, await store.CountQueuedAsync());
            Assert.Equal(0, StoredBodies(store));
        }
    }
}
