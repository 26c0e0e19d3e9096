namespace Postern.Storage.Tests.Contract;

// A mailbox id that no longer exists (another session deleted the mailbox this one has selected):
// reads see an empty mailbox, changes to its messages change nothing, and adding messages to it is
// MailboxException NotFound (IMAP: [NONEXISTENT] / [TRYCREATE], never a server error).
public abstract partial class StoreContract
{
    [Fact]
    public async Task A_deleted_mailbox_reads_as_empty_and_refuses_new_messages_as_not_found()
    {
        var (store, alice) = await OpenWithAliceAsync();
        await using var _ = store;
        long inbox = await InboxIdAsync(store, alice.Id);
        var box = await store.CreateMailboxAsync(alice.Id, "Doomed");
        uint uid = await AppendTextAsync(store, box.Id, "Subject: x\r\n\r\nx", MessageFlags.Deleted);
        await store.SetCachedStructuresAsync(box.Id, [(uid, new MessageStructure("e", "bs", "b"))]);
        uint kept = await AppendTextAsync(store, inbox, "kept");

        await store.DeleteMailboxAsync(alice.Id, "Doomed");

        Assert.Empty(await store.ListMessagesAsync(box.Id));
        Assert.Empty(await store.ListMessagesAsync(box.Id, 0));
        Assert.Equal(0ul, await store.GetHighestModSeqAsync(box.Id));
        Assert.Null(await store.OpenMessageAsync(box.Id, uid));
        Assert.Null(await store.ReadHeaderAsync(box.Id, uid));
        Assert.Empty(await store.GetCachedStructuresAsync(box.Id, [uid]));
        Assert.Empty(await store.ExpungedSinceAsync(box.Id, 0));
        Assert.Empty(await store.SetFlagsAsync(box.Id, [uid], MessageFlags.Seen, FlagChange.Add));
        var update = await store.SetFlagsAsync(box.Id, [uid], MessageFlags.Seen, ["$Junk"], FlagChange.Add, 0);
        Assert.Equal((0, 0), (update.Changed.Count, update.Failed.Count));
        Assert.Empty(await store.ExpungeAsync(box.Id));
        await store.SetCachedStructuresAsync(box.Id, [(uid, new MessageStructure("e", "bs", "b"))]);

        Assert.Equal(MailboxError.NotFound, (await Assert.ThrowsAsync<MailboxException>(() => AppendTextAsync(store, box.Id, "late"))).Error);
        Assert.Equal(MailboxError.NotFound, (await Assert.ThrowsAsync<MailboxException>(() => store.CopyAsync(inbox, [kept], box.Id))).Error);
        Assert.Equal(MailboxError.NotFound, (await Assert.ThrowsAsync<MailboxException>(() => store.MoveAsync(inbox, [kept], box.Id))).Error);
        Assert.Equal(MailboxError.NotFound, (await Assert.ThrowsAsync<MailboxException>(() => store.CopyAsync(box.Id, [uid], inbox))).Error);
        Assert.Equal([kept], (await store.ListMessagesAsync(inbox)).Select(m => m.Uid));
        Assert.Equal(1, StoredBodies(store));
    }
}
