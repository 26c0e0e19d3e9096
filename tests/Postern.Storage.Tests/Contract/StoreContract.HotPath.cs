using System.Text;

namespace Postern.Storage.Tests.Contract;

// The incremental and cached reads IMAP uses on large mailboxes, run against the SQLite store and
// the IMAP tests' memory store alike: both must answer the same.
public abstract partial class StoreContract
{
    [Fact]
    public async Task Highest_modseq_by_id_follows_every_change_and_is_0_for_no_mailbox()
    {
        var (store, alice) = await OpenWithAliceAsync();
        long account = alice.Id;
        await using var _ = store;
        long inbox = await InboxIdAsync(store, account);
        async Task Same() => Assert.Equal((await store.GetMailboxAsync(account, "INBOX"))!.HighestModSeq, await store.GetHighestModSeqAsync(inbox));

        await Same();
        ulong before = await store.GetHighestModSeqAsync(inbox);
        await AppendTextAsync(store, inbox, "Subject: a\r\n\r\na", MessageFlags.Deleted);
        Assert.True(await store.GetHighestModSeqAsync(inbox) > before);
        await Same();
        await store.ExpungeAsync(inbox);
        await Same();
        Assert.Equal(0ul, await store.GetHighestModSeqAsync(987654));
    }

    [Fact]
    public async Task Changed_since_lists_only_added_and_flag_changed_messages_in_uid_order()
    {
        var (store, alice) = await OpenWithAliceAsync();
        long account = alice.Id;
        await using var _ = store;
        long inbox = await InboxIdAsync(store, account);
        for (int i = 0; i < 5; i++)
        {
            await AppendTextAsync(store, inbox, $"Subject: {i}\r\n\r\nbody");
        }

        ulong known = await store.GetHighestModSeqAsync(inbox);
        Assert.Empty(await store.ListMessagesAsync(inbox, known));

        // Changed in reverse UID order, so MODSEQ order differs from UID order.
        await store.SetFlagsAsync(inbox, [4], MessageFlags.Seen, [], FlagChange.Add, null);
        await store.SetFlagsAsync(inbox, [2], MessageFlags.Flagged, ["Work"], FlagChange.Add, null);
        uint added = await AppendTextAsync(store, inbox, "Subject: new\r\n\r\nx");
        await store.SetFlagsAsync(inbox, [1], MessageFlags.Deleted, [], FlagChange.Add, null);
        await store.ExpungeAsync(inbox);

        var changed = await store.ListMessagesAsync(inbox, known);
        Assert.Equal([2u, 4u, added], changed.Select(m => m.Uid));
        Assert.All(changed, m => Assert.True(m.ModSeq > known));
        Assert.Equal(["Work"], changed[0].Keywords);
        Assert.Equal(MessageFlags.Seen, changed[1].Flags);
        Assert.Equal([1u], await store.ExpungedSinceAsync(inbox, known));
        static string Show(IEnumerable<MessageInfo> ms) => string.Join(";", ms.Select(m => $"{m.Uid} {m.Flags} {m.ModSeq} {m.Size} {m.InternalDate:O} {string.Join(",", m.Keywords)}"));
        Assert.Equal(Show(await store.ListMessagesAsync(inbox)), Show(await store.ListMessagesAsync(inbox, 0)));
        Assert.Empty(await store.ListMessagesAsync(987654, 0));
    }

    [Fact]
    public async Task Counters_include_deleted_and_match_the_messages_after_every_kind_of_change()
    {
        var (store, alice) = await OpenWithAliceAsync();
        long account = alice.Id;
        await using var _ = store;
        long inbox = await InboxIdAsync(store, account);
        long sent = (await store.GetMailboxAsync(account, "Sent"))!.Id;
        async Task Check(string name)
        {
            var box = (await store.GetMailboxAsync(account, name))!;
            var messages = await store.ListMessagesAsync(box.Id);
            Assert.Equal(
                (messages.Count, messages.Count(m => !m.Flags.HasFlag(MessageFlags.Seen)), messages.Count(m => m.Flags.HasFlag(MessageFlags.Deleted)), messages.Sum(m => m.Size)),
                (box.MessageCount, box.UnseenCount, box.DeletedCount, box.TotalSize));
            var listed = (await store.ListMailboxesAsync(account)).Single(b => b.Id == box.Id);
            Assert.Equal((box.MessageCount, box.UnseenCount, box.DeletedCount, box.TotalSize), (listed.MessageCount, listed.UnseenCount, listed.DeletedCount, listed.TotalSize));
        }

        await AppendTextAsync(store, inbox, "Subject: a\r\n\r\naaaa", MessageFlags.Seen);
        await AppendTextAsync(store, inbox, "Subject: b\r\n\r\nbb", MessageFlags.Deleted);
        await AppendTextAsync(store, inbox, "Subject: c\r\n\r\nc");
        await Check("INBOX");
        await store.SetFlagsAsync(inbox, [1, 3], MessageFlags.Deleted | MessageFlags.Seen, [], FlagChange.Add, null);
        await Check("INBOX");
        await store.SetFlagsAsync(inbox, [2], MessageFlags.Seen, FlagChange.Replace);
        await Check("INBOX");
        await store.CopyAsync(inbox, [1, 2], sent);
        await Check("Sent");
        await store.MoveAsync(inbox, [3], sent);
        await Check("INBOX");
        await Check("Sent");
        await store.AcceptAsync(new InboundMessage("bob@example.net", [account], []), new MemoryStream("Subject: d\r\n\r\nddd"u8.ToArray()));
        await Check("INBOX");
        await store.ExpungeAsync(sent);
        await Check("Sent");
        await store.RenameMailboxAsync(account, "INBOX", "Old");
        await Check("INBOX");
        await Check("Old");
        var boxes = await store.ListMailboxesAsync(account);
        Assert.Equal(boxes.Sum(b => b.TotalSize), await store.GetAccountSizeAsync(account));
        await store.DeleteMailboxAsync(account, "Old");
        Assert.Equal((await store.ListMailboxesAsync(account)).Sum(b => b.TotalSize), await store.GetAccountSizeAsync(account));
    }

    [Fact]
    public async Task Headers_are_the_block_up_to_the_blank_line_in_the_given_order_and_gone_uids_are_skipped()
    {
        var (store, alice) = await OpenWithAliceAsync();
        long account = alice.Id;
        await using var _ = store;
        long inbox = await InboxIdAsync(store, account);
        uint a = await AppendTextAsync(store, inbox, "Subject: a\r\nFrom: x@y\r\n\r\nbody a\r\n\r\nmore");
        uint b = await AppendTextAsync(store, inbox, "Subject: only headers\r\n");
        uint c = await AppendTextAsync(store, inbox, "\r\nno headers");
        uint d = await AppendTextAsync(store, inbox, "");
        string longHeader = "Subject: long\r\nX-Long: " + new string('x', HeaderBlock.MaxCached + 10) + "\r\n\r\nbody";
        uint e = await AppendTextAsync(store, inbox, longHeader);

        Assert.Equal("Subject: a\r\nFrom: x@y\r\n\r\n", Text(await store.ReadHeaderAsync(inbox, a)));
        Assert.Equal("Subject: only headers\r\n", Text(await store.ReadHeaderAsync(inbox, b)));
        Assert.Equal("\r\n", Text(await store.ReadHeaderAsync(inbox, c)));
        Assert.Equal("", Text(await store.ReadHeaderAsync(inbox, d)));
        Assert.Equal(longHeader[..^4], Text(await store.ReadHeaderAsync(inbox, e)));
        Assert.Null(await store.ReadHeaderAsync(inbox, 999));

        // A copy reads the same header; an expunged UID is skipped; the order is the caller's.
        long sent = (await store.GetMailboxAsync(account, "Sent"))!.Id;
        var copy = await store.CopyAsync(inbox, [a], sent);
        Assert.Equal("Subject: a\r\nFrom: x@y\r\n\r\n", Text(await store.ReadHeaderAsync(sent, copy.TargetUids[0])));
        await store.SetFlagsAsync(inbox, [b], MessageFlags.Deleted, [], FlagChange.Add, null);
        await store.ExpungeAsync(inbox);
        List<(uint, string)> all = [];
        await foreach (var (uid, header) in store.ReadHeadersAsync(inbox, [e, b, a, 999, c]))
        {
            all.Add((uid, Encoding.ASCII.GetString(header.Span)));
        }

        Assert.Equal([(e, longHeader[..^4]), (a, "Subject: a\r\nFrom: x@y\r\n\r\n"), (c, "\r\n")], all);
    }

    [Fact]
    public async Task Cached_structures_belong_to_the_body_so_copies_share_them()
    {
        var (store, alice) = await OpenWithAliceAsync();
        long account = alice.Id;
        await using var _ = store;
        long inbox = await InboxIdAsync(store, account);
        long sent = (await store.GetMailboxAsync(account, "Sent"))!.Id;
        uint a = await AppendTextAsync(store, inbox, "Subject: a\r\n\r\na");
        uint b = await AppendTextAsync(store, inbox, "Subject: b\r\n\r\nb");
        Assert.Empty(await store.GetCachedStructuresAsync(inbox, [a, b]));

        var sa = new MessageStructure("(env a)", "(bs a ext)", "(bs a)");
        await store.SetCachedStructuresAsync(inbox, [(a, sa), (999, new MessageStructure("x", "y", "z"))]);
        var found = await store.GetCachedStructuresAsync(inbox, [a, b, 999]);
        Assert.Equal([a], found.Keys);
        Assert.Equal(sa, found[a]);

        var copy = await store.CopyAsync(inbox, [a, b], sent);
        Assert.Equal(sa, (await store.GetCachedStructuresAsync(sent, copy.TargetUids))[copy.TargetUids[0]]);
        Assert.Single(await store.GetCachedStructuresAsync(sent, copy.TargetUids));

        // Many UIDs in one call (more than one batch).
        var many = Enumerable.Range(1, 1000).Select(i => (uint)i).ToList();
        Assert.Equal([a], (await store.GetCachedStructuresAsync(inbox, many)).Keys);
    }

    private static string? Text(ReadOnlyMemory<byte>? bytes) => bytes is { } b ? Encoding.ASCII.GetString(b.Span) : null;
}
