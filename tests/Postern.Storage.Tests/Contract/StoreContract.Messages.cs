
namespace Postern.Storage.Tests.Contract;

public abstract partial class StoreContract
{
    [Fact]
    public async Task Append_returns_ascending_uids_and_keeps_metadata()
    {
        var (store, alice) = await OpenWithAliceAsync();
        await using (store)
        {
            long inbox = await InboxIdAsync(store, alice.Id);
            var date = new DateTimeOffset(2024, 2, 29, 13, 14, 15, TimeSpan.FromHours(-5));
            uint a = await store.AppendAsync(inbox, new MemoryStream(new byte[10]), MessageFlags.Seen | MessageFlags.Draft, date);
            uint b = await AppendTextAsync(store, inbox, "hello");
            uint c = await AppendTextAsync(store, inbox, "hello again");

            Assert.Equal([1u, 2u, 3u], [a, b, c]);
            var list = await store.ListMessagesAsync(inbox);
            Assert.Equal([1u, 2u, 3u], list.Select(m => m.Uid));
            Assert.Equal((1u, MessageFlags.Seen | MessageFlags.Draft, date, 10L), (list[0].Uid, list[0].Flags, list[0].InternalDate, list[0].Size));
            Assert.Empty(list[0].Keywords);
            Assert.Equal(date.Offset, list[0].InternalDate.Offset);
            Assert.Equal(5, list[1].Size);
        }
    }

    [Fact]
    public async Task Uids_are_not_reused_after_expunge()
    {
        var (store, alice) = await OpenWithAliceAsync();
        await using (store)
        {
            long inbox = await InboxIdAsync(store, alice.Id);
            uint first = await AppendTextAsync(store, inbox, "a");
            uint second = await AppendTextAsync(store, inbox, "b", MessageFlags.Deleted);
            Assert.Equal([second], await store.ExpungeAsync(inbox));
            Assert.Equal(3u, (await store.GetMailboxAsync(alice.Id, "inbox"))!.UidNext);

            uint third = await AppendTextAsync(store, inbox, "c");
            Assert.True(third > second);
            Assert.Equal(4u, (await store.GetMailboxAsync(alice.Id, "INBOX"))!.UidNext);
            Assert.Equal([first, third], (await store.ListMessagesAsync(inbox)).Select(m => m.Uid));
        }
    }

    [Fact]
    public async Task Body_round_trips_byte_exact()
    {
        var (store, alice) = await OpenWithAliceAsync();
        await using (store)
        {
            long inbox = await InboxIdAsync(store, alice.Id);
            var body = new byte[300_000];
            new Random(42).NextBytes(body);
            byte[] special = [0, 13, 10, 13, 13, 10, 10, 0, 255, 46, 13, 10, 46, 13, 10];
            special.CopyTo(body, 0);
            special.CopyTo(body, body.Length - special.Length);

            uint uid = await store.AppendAsync(inbox, new MemoryStream(body), MessageFlags.None, DateTimeOffset.UtcNow);
            Assert.Equal(body, await ReadBodyAsync(store, inbox, uid));
            Assert.Equal(body.Length, (await store.ListMessagesAsync(inbox))[0].Size);

            await using var stream = await store.OpenMessageAsync(inbox, uid);
            Assert.NotNull(stream);
            Assert.False(stream.CanWrite);
            Assert.Null(await store.OpenMessageAsync(inbox, uid + 1));
        }
    }

    [Fact]
    public async Task SetFlags_replaces_adds_and_removes()
    {
        var (store, alice) = await OpenWithAliceAsync();
        await using (store)
        {
            long inbox = await InboxIdAsync(store, alice.Id);
            for (int i = 0; i < 3; i++)
            {
                await AppendTextAsync(store, inbox, "m" + i, MessageFlags.Flagged);
            }

            var replaced = await store.SetFlagsAsync(inbox, [3, 1, 99], MessageFlags.Seen, FlagChange.Replace);
            Assert.Equal([(1u, MessageFlags.Seen), (3u, MessageFlags.Seen)], replaced.Select(m => (m.Uid, m.Flags)));

            var added = await store.SetFlagsAsync(inbox, [1, 2], MessageFlags.Answered | MessageFlags.Deleted, FlagChange.Add);
            Assert.Equal(
                [(1u, MessageFlags.Seen | MessageFlags.Answered | MessageFlags.Deleted), (2u, MessageFlags.Flagged | MessageFlags.Answered | MessageFlags.Deleted)],
                added.Select(m => (m.Uid, m.Flags)));

            var removed = await store.SetFlagsAsync(inbox, [1, 2, 3], MessageFlags.Deleted | MessageFlags.Seen, FlagChange.Remove);
            Assert.Equal(
                [(1u, MessageFlags.Answered), (2u, MessageFlags.Flagged | MessageFlags.Answered), (3u, MessageFlags.None)],
                removed.Select(m => (m.Uid, m.Flags)));

            Assert.Equal(removed, await store.ListMessagesAsync(inbox));
            Assert.Empty(await store.SetFlagsAsync(inbox, [], MessageFlags.Seen, FlagChange.Add));
        }
    }

    [Fact]
    public async Task Expunge_removes_deleted_messages_with_and_without_uid_filter()
    {
        var (store, alice) = await OpenWithAliceAsync();
        await using (store)
        {
            long inbox = await InboxIdAsync(store, alice.Id);
            for (int i = 1; i <= 5; i++)
            {
                await AppendTextAsync(store, inbox, "m" + i, i == 3 ? MessageFlags.None : MessageFlags.Deleted);
            }

            Assert.Equal([2u, 4u], await store.ExpungeAsync(inbox, [4, 3, 2]));
            Assert.Equal([1u, 3u, 5u], (await store.ListMessagesAsync(inbox)).Select(m => m.Uid));
            Assert.Equal(3, StoredBodies(store));

            Assert.Empty(await store.ExpungeAsync(inbox, []));
            Assert.Equal([1u, 5u], await store.ExpungeAsync(inbox));
            Assert.Equal([3u], (await store.ListMessagesAsync(inbox)).Select(m => m.Uid));
            Assert.Equal(1, StoredBodies(store));
            Assert.Null(await store.OpenMessageAsync(inbox, 1));
            Assert.Empty(await store.ExpungeAsync(inbox));
        }
    }

    [Fact]
    public async Task Mailbox_info_counts_messages_unseen_and_size()
    {
        var (store, alice) = await OpenWithAliceAsync();
        await using (store)
        {
            long inbox = await InboxIdAsync(store, alice.Id);
            await AppendTextAsync(store, inbox, "12345", MessageFlags.Seen);
            await AppendTextAsync(store, inbox, "1234567");
            await AppendTextAsync(store, inbox, "123", MessageFlags.Flagged);

            var info = (await store.GetMailboxAsync(alice.Id, "InBoX"))!;
            Assert.Equal(("INBOX", 3, 2, 15L, 4u), (info.Name, info.MessageCount, info.UnseenCount, info.TotalSize, info.UidNext));

            var listed = (await store.ListMailboxesAsync(alice.Id)).Single(b => b.Name == "INBOX");
            Assert.Equal(info, listed);
            Assert.Equal(0, (await store.GetMailboxAsync(alice.Id, "Sent"))!.MessageCount);

            // Only INBOX is case-insensitive.
            Assert.Null(await store.GetMailboxAsync(alice.Id, "sent"));
            Assert.Null(await store.GetMailboxAsync(alice.Id, "../INBOX"));
        }
    }

    [Fact]
    public async Task Failed_append_leaves_no_file_and_no_row()
    {
        var (store, alice) = await OpenWithAliceAsync();
        await using (store)
        {
            // A mailbox that does not exist (e.g. deleted by another session meanwhile) is NotFound.
            var gone = await Assert.ThrowsAsync<MailboxException>(() => AppendTextAsync(store, 987654, "lost"));
            Assert.Equal(MailboxError.NotFound, gone.Error);
            Assert.Equal(0, StoredBodies(store));

            // A client stream that breaks half-way (connection dropped during a literal).
            long inbox = await InboxIdAsync(store, alice.Id);
            await Assert.ThrowsAsync<IOException>(() => store.AppendAsync(inbox, new BrokenStream(), MessageFlags.None, DateTimeOffset.UtcNow));
            Assert.Equal(0, StoredBodies(store));
            Assert.Empty(await store.ListMessagesAsync(inbox));
            Assert.Equal(1u, (await store.GetMailboxAsync(alice.Id, "INBOX"))!.UidNext);
        }
    }

    [Fact]
    public async Task Cancelled_append_leaves_nothing()
    {
        var (store, alice) = await OpenWithAliceAsync();
        await using (store)
        {
            long inbox = await InboxIdAsync(store, alice.Id);
            using var cts = new CancellationTokenSource();
            cts.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(
                () => store.AppendAsync(inbox, new MemoryStream(new byte[100]), MessageFlags.None, DateTimeOffset.UtcNow, cts.Token));
            Assert.Equal(0, StoredBodies(store));
            Assert.Empty(await store.ListMessagesAsync(inbox));
        }
    }

    /// <summary>Yields some bytes, then fails like a dropped connection.</summary>
    private sealed class BrokenStream : Stream
    {
        private int _reads;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_reads++ > 0)
            {
                throw new IOException("connection reset");
            }

            Array.Fill(buffer, (byte)'x', offset, Math.Min(count, 100));
            return Math.Min(count, 100);
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
