using MailKit;
using MailKit.Net.Imap;
using MimeKit;
using Postern.Integration.Tests.Support;

namespace Postern.Integration.Tests.Imap;

/// <summary>
/// CONDSTORE and QRESYNC (RFC 7162) end to end with MailKit against the real server and its SQLite
/// store. Each test works in a mailbox of its own, so the shared server's other tests do not interfere.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class CondStoreTests(ServerFixture server)
{
    private static MimeMessage NewMessage(string subject)
    {
        var m = new MimeMessage();
        m.From.Add(MailboxAddress.Parse("someone@elsewhere.test"));
        m.To.Add(MailboxAddress.Parse(ServerFixture.User("bob")));
        m.Subject = subject;
        m.Body = new TextPart("plain") { Text = "body of " + subject };
        return m;
    }

    private static async Task<(IMailFolder Folder, List<UniqueId> Uids)> NewFolderAsync(ImapClient imap, int messages)
    {
        var root = await imap.GetFolderAsync(imap.PersonalNamespaces[0].Path);
        var folder = (await root.CreateAsync("Sync-" + Guid.NewGuid().ToString("N")[..8], isMessageFolder: true))!;
        var uids = new List<UniqueId>();
        for (int i = 0; i < messages; i++)
        {
            uids.Add((await folder.AppendAsync(NewMessage("m" + i)))!.Value);
        }

        return (folder, uids);
    }

    [Fact]
    public async Task Conditional_store_and_changedsince_fetch()
    {
        using var imap = await MailKitClients.ImapAsync(server, 993, ServerFixture.User("bob"));
        Assert.True(imap.Capabilities.HasFlag(ImapCapabilities.CondStore));
        Assert.True(imap.Capabilities.HasFlag(ImapCapabilities.QuickResync));
        await imap.EnableQuickResyncAsync();
        var (folder, uids) = await NewFolderAsync(imap, 3);
        await folder.OpenAsync(FolderAccess.ReadWrite);
        ulong start = folder.HighestModSeq;
        Assert.True(start > 0);

        // Unchanged since start: the store succeeds and nothing comes back as modified.
        var modified = await folder.StoreAsync([uids[0]], new StoreFlagsRequest(StoreAction.Add, MessageFlags.Flagged) { UnchangedSince = start });
        Assert.Empty(modified);

        // Message 0 changed after start now: a second conditional store on it and 1 refuses 0 only.
        modified = await folder.StoreAsync([uids[0], uids[1]], new StoreFlagsRequest(StoreAction.Add, MessageFlags.Seen) { UnchangedSince = start });
        Assert.Equal([uids[0]], modified);

        var changed = await folder.FetchAsync(uids, new FetchRequest(MessageSummaryItems.Flags | MessageSummaryItems.ModSeq) { ChangedSince = start });
        Assert.Equal([uids[0], uids[1]], changed.Select(s => s.UniqueId).Order());
        Assert.All(changed, s => Assert.True(s.ModSeq > start));
        Assert.True(changed.Single(s => s.UniqueId == uids[0]).Flags!.Value.HasFlag(MessageFlags.Flagged));
        Assert.True(changed.Single(s => s.UniqueId == uids[1]).Flags!.Value.HasFlag(MessageFlags.Seen));

        var status = await imap.GetFolderAsync(folder.FullName);
        await folder.CloseAsync();
        await status.StatusAsync(StatusItems.HighestModSeq);
        Assert.True(status.HighestModSeq >= changed.Max(s => s.ModSeq!.Value));
        await imap.DisconnectAsync(true);
    }

    [Fact]
    public async Task Quick_resync_reports_what_another_client_changed()
    {
        using var one = await MailKitClients.ImapAsync(server, 993, ServerFixture.User("bob"));
        await one.EnableQuickResyncAsync();
        var (folder, uids) = await NewFolderAsync(one, 3);
        await folder.OpenAsync(FolderAccess.ReadWrite);
        uint validity = folder.UidValidity;
        ulong modSeq = folder.HighestModSeq;
        await folder.CloseAsync();

        using (var two = await MailKitClients.ImapAsync(server, 993, ServerFixture.User("bob")))
        {
            var other = await two.GetFolderAsync(folder.FullName);
            await other.OpenAsync(FolderAccess.ReadWrite);
            await other.AddFlagsAsync([uids[1]], MessageFlags.Deleted, silent: true);
            await other.ExpungeAsync();
            await other.AddFlagsAsync([uids[2]], MessageFlags.Answered, silent: true);
            await two.DisconnectAsync(true);
        }

        var vanished = new List<(UniqueId Uid, bool Earlier)>();
        var flagged = new List<UniqueId?>();
        folder.MessagesVanished += (_, e) => vanished.AddRange(e.UniqueIds.Select(u => (u, e.Earlier)));
        folder.MessageFlagsChanged += (_, e) => flagged.Add(e.UniqueId);
        await folder.OpenAsync(FolderAccess.ReadWrite, validity, modSeq, uids);
        Assert.Equal([(uids[1], true)], vanished);
        Assert.Contains(uids[2], flagged);
        Assert.Equal(2, folder.Count);
        Assert.True(folder.HighestModSeq > modSeq);

        // A live expunge by another client arrives as VANISHED (not EARLIER) at NOOP.
        using (var three = await MailKitClients.ImapAsync(server, 993, ServerFixture.User("bob")))
        {
            var other = await three.GetFolderAsync(folder.FullName);
            await other.OpenAsync(FolderAccess.ReadWrite);
            await other.AddFlagsAsync([uids[0]], MessageFlags.Deleted, silent: true);
            await other.ExpungeAsync();
            await three.DisconnectAsync(true);
        }

        vanished.Clear();
        await one.NoOpAsync();
        Assert.Equal([(uids[0], false)], vanished);
        Assert.Equal(1, folder.Count);
        await one.DisconnectAsync(true);
    }
}
