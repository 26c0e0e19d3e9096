using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MailKit.Security;
using MimeKit;
using Postern.Integration.Tests.Support;

namespace Postern.Integration.Tests;

/// <summary>
/// The complete-IMAP features end to end with MailKit against the real server and its SQLite
/// store: mailbox management, APPEND with APPENDUID, COPY/MOVE with COPYUID, keywords, and IDLE
/// reporting a delivery from SMTP.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class ImapFeatureTests(ServerFixture server)
{
    private static MimeMessage NewMessage(string subject)
    {
        var m = new MimeMessage();
        m.From.Add(MailboxAddress.Parse("someone@elsewhere.test"));
        m.To.Add(MailboxAddress.Parse(ServerFixture.User("alice")));
        m.Subject = subject;
        m.Body = new TextPart("plain") { Text = "body of " + subject };
        return m;
    }

    [Fact]
    public async Task Create_rename_subscribe_and_delete_mailboxes()
    {
        using var imap = await MailKitClients.ImapAsync(server, 993, ServerFixture.User("alice"));
        string name = "Projects-" + Guid.NewGuid().ToString("N")[..6];
        var root = await imap.GetFolderAsync(imap.PersonalNamespaces[0].Path);
        var created = (await root.CreateAsync(name, isMessageFolder: true))!;
        var child = (await created.CreateAsync("Ünïcode café", isMessageFolder: true))!;
        Assert.Contains(await root.GetSubfoldersAsync(), f => f.Name == name);
        Assert.Contains(await created.GetSubfoldersAsync(), f => f.Name == "Ünïcode café");

        await child.SubscribeAsync();
        Assert.Contains(await imap.GetFoldersAsync(imap.PersonalNamespaces[0], StatusItems.None, subscribedOnly: true), f => f.FullName == child.FullName);

        await created.RenameAsync(root, name + "-renamed");
        var folders = await imap.GetFoldersAsync(imap.PersonalNamespaces[0]);
        Assert.Contains(folders, f => f.FullName == name + "-renamed/Ünïcode café");
        Assert.DoesNotContain(folders, f => f.FullName == name);

        var renamedChild = await imap.GetFolderAsync(name + "-renamed/Ünïcode café");
        await renamedChild.DeleteAsync();
        await (await imap.GetFolderAsync(name + "-renamed")).DeleteAsync();
        Assert.DoesNotContain(await imap.GetFoldersAsync(imap.PersonalNamespaces[0]), f => f.FullName.StartsWith(name, StringComparison.Ordinal));
        await imap.DisconnectAsync(true);
    }

    [Fact]
    public async Task Append_returns_the_uid_and_copy_and_move_report_the_new_uids()
    {
        using var imap = await MailKitClients.ImapAsync(server, 993, ServerFixture.User("alice"));
        Assert.True(imap.Capabilities.HasFlag(ImapCapabilities.UidPlus));
        Assert.True(imap.Capabilities.HasFlag(ImapCapabilities.Move));
        var root = await imap.GetFolderAsync(imap.PersonalNamespaces[0].Path);
        var box = (await root.CreateAsync("Append-" + Guid.NewGuid().ToString("N")[..6], true))!;
        string subject = "appended " + Guid.NewGuid().ToString("N");
        var uid = await box.AppendAsync(NewMessage(subject), MessageFlags.Seen | MessageFlags.Flagged);
        Assert.NotNull(uid);

        // STATUS=SIZE and APPENDLIMIT, as MailKit reads them.
        Assert.Equal(50u * 1024 * 1024, imap.AppendLimit);
        await box.StatusAsync(StatusItems.Size | StatusItems.Count);
        Assert.Equal(1, box.Count);
        Assert.True(box.Size > 100, $"STATUS SIZE reported {box.Size}");

        await box.OpenAsync(FolderAccess.ReadWrite);
        var summary = Assert.Single(await box.FetchAsync([uid.Value], MessageSummaryItems.Flags | MessageSummaryItems.Envelope));
        Assert.Equal(subject, summary.Envelope!.Subject);
        Assert.True(summary.Flags!.Value.HasFlag(MessageFlags.Seen) && summary.Flags.Value.HasFlag(MessageFlags.Flagged));

        // Keywords are stored.
        await box.AddFlagsAsync([uid.Value], MessageFlags.None, new HashSet<string> { "$Important", "project-x" }, silent: true);
        summary = Assert.Single(await box.FetchAsync([uid.Value], MessageSummaryItems.Flags));
        Assert.Contains("project-x", summary.Keywords);
        Assert.Single(await box.SearchAsync(SearchQuery.HasKeyword("project-x")));

        var archive = await imap.GetFolderAsync("Archive");
        var copied = await box.CopyToAsync(uid.Value, archive);
        Assert.NotNull(copied);
        var moved = await box.MoveToAsync([uid.Value], archive);
        Assert.Single(moved.Destination);
        Assert.Empty(await box.SearchAsync(SearchQuery.All));

        await archive.OpenAsync(FolderAccess.ReadOnly);
        Assert.Equal(2, (await archive.SearchAsync(SearchQuery.SubjectContains(subject))).Count);
        await imap.DisconnectAsync(true);
    }

    [Theory]
    [InlineData(993, "SCRAM-SHA-256")]
    [InlineData(993, "SCRAM-SHA-256-PLUS")]
    [InlineData(143, "SCRAM-SHA-256")]
    [InlineData(143, "SCRAM-SHA-256-PLUS")]
    public async Task Scram_logs_in_and_a_wrong_password_fails(int port, string mechanism)
    {
        string user = ServerFixture.User("dave");
        SaslMechanism Mechanism(string password) => mechanism == "SCRAM-SHA-256"
            ? new SaslMechanismScramSha256(new System.Net.NetworkCredential(user, password))
            : new SaslMechanismScramSha256Plus(new System.Net.NetworkCredential(user, password));

        using (var imap = await MailKitClients.ImapAsync(server, port))
        {
            Assert.Contains(mechanism, imap.AuthenticationMechanisms);
            await imap.AuthenticateAsync(Mechanism(ServerFixture.Password));
            Assert.True(imap.IsAuthenticated);
            await imap.Inbox.OpenAsync(FolderAccess.ReadOnly);
            await imap.DisconnectAsync(true);
        }

        using (var imap = await MailKitClients.ImapAsync(server, port))
        {
            await Assert.ThrowsAsync<MailKit.Security.AuthenticationException>(() => imap.AuthenticateAsync(Mechanism("not the password")));
        }
    }

    [Fact]
    public async Task Compress_deflate_keeps_the_session_working()
    {
        using var imap = await MailKitClients.ImapAsync(server, 993, ServerFixture.User("dave"));
        Assert.True(imap.Capabilities.HasFlag(ImapCapabilities.Compress));
        await imap.CompressAsync();
        await imap.Inbox.OpenAsync(FolderAccess.ReadOnly);
        var all = await imap.Inbox.SearchAsync(SearchQuery.All);
        if (all.Count > 0)
        {
            using var message = await imap.Inbox.GetMessageAsync(all[0]);
            Assert.NotNull(message.Subject);
        }

        Assert.NotEmpty(await imap.GetFoldersAsync(imap.PersonalNamespaces[0]));
        await imap.DisconnectAsync(true);
    }

    [Fact]
    public async Task Idle_reports_a_message_delivered_over_SMTP_promptly()
    {
        string user = ServerFixture.User("erin");
        using var idler = await MailKitClients.ImapAsync(server, 993, user);
        Assert.True(idler.Capabilities.HasFlag(ImapCapabilities.Idle));
        await idler.Inbox.OpenAsync(FolderAccess.ReadOnly);
        int before = idler.Inbox.Count;
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        idler.Inbox.CountChanged += (_, _) =>
        {
            if (idler.Inbox.Count > before)
            {
                arrived.TrySetResult();
            }
        };
        using var done = new CancellationTokenSource();
        var idle = idler.IdleAsync(done.Token);

        using (var smtp = await MailKitClients.SmtpAsync(server, 25))
        {
            var m = NewMessage("idle " + Guid.NewGuid().ToString("N"));
            m.To.Clear();
            m.To.Add(MailboxAddress.Parse(user));
            await smtp.SendAsync(m);
            await smtp.DisconnectAsync(true);
        }

        // Seen while idling (pushed, not found at a later poll); a bounded wait, not a timing claim.
        Assert.Same(arrived.Task, await Task.WhenAny(arrived.Task, Task.Delay(TimeSpan.FromSeconds(10))));
        Assert.False(idle.IsCompleted, "IDLE ended before the delivery was reported");
        done.Cancel();
        await idle;
        await idler.DisconnectAsync(true);
    }
}
