using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MailKit.Security;
using Microsoft.Extensions.Logging.Abstractions;
using MimeKit;
using Postern.Imap;
using Postern.Net;
using Postern.Protocol.Tests.Support;
using Xunit;

namespace Postern.Protocol.Tests.Imap;

/// <summary>MailKit managing folders, appending, copying, moving and idling: the extensions as a real client uses them.</summary>
public class MailKitFolderTests
{
    private static async Task<ImapClient> ConnectAsync(MemoryMailStore store, Postern.Storage.Accounts.Authenticator auth, CancellationToken ct)
    {
        var handler = new ImapHandler(store, auth, new ServerIdentity("mail.test"), new ImapOptions(), NullLogger<ImapHandler>.Instance);
        var (stream, _) = TestServer.Start(handler, MailProtocol.Imap, TlsMode.Implicit);
        var client = new ImapClient();
        string expected = TestServer.Tls.Certificate.GetCertHashString();
        client.ServerCertificateValidationCallback = (_, cert, _, _) => cert?.GetCertHashString() == expected;
        await client.ConnectAsync(stream, "mail.test", 993, SecureSocketOptions.SslOnConnect, ct);
        await client.AuthenticateAsync("alice@example.org", "secret", ct);
        return client;
    }

    private static MimeMessage Message(string subject) => new(
        [new MailboxAddress("Bob", "bob@example.net")], [new MailboxAddress("Alice", "alice@example.org")], subject,
        new TextPart("plain") { Text = "Body of " + subject });

    [Fact]
    public async Task MailKit_manages_folders_and_moves_mail()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = cts.Token;
        var (store, auth, alice) = await TestServer.CreateStoreAsync();
        using var client = await ConnectAsync(store, auth, ct);
        Assert.True(client.Capabilities.HasFlag(ImapCapabilities.UidPlus));
        Assert.True(client.Capabilities.HasFlag(ImapCapabilities.Move));
        Assert.True(client.Capabilities.HasFlag(ImapCapabilities.Idle));

        var id = await client.IdentifyAsync(new ImapImplementation { Name = "test", Version = "1" }, ct);
        Assert.Equal("Postern", id.Name);
        Assert.Equal("", client.PersonalNamespaces[0].Path);
        Assert.Equal('/', client.PersonalNamespaces[0].DirectorySeparator);

        var root = client.GetFolder(client.PersonalNamespaces[0]);
        var projects = (await root.CreateAsync("Projekte ü", isMessageFolder: true, ct))!;
        Assert.NotNull(await store.GetMailboxAsync(alice.Id, "Projekte ü"));
        var sub = (await projects.CreateAsync("2026", isMessageFolder: true, ct))!;
        Assert.Equal("Projekte ü/2026", sub.FullName);

        var uid = await projects.AppendAsync(Message("first"), MailKit.MessageFlags.Seen, ct);
        Assert.NotNull(uid);
        Assert.Equal(1u, uid!.Value.Id);
        var uid2 = await projects.AppendAsync(new AppendRequest(Message("second"), MailKit.MessageFlags.None) { Keywords = new HashSet<string> { "$Work" } }, ct);
        Assert.Equal(2u, uid2!.Value.Id);

        await projects.OpenAsync(FolderAccess.ReadWrite, ct);
        Assert.Equal(2, projects.Count);
        Assert.Contains("$Work", projects.PermanentKeywords);
        var found = await projects.SearchAsync(SearchQuery.HasKeyword("$Work"), ct);
        Assert.Equal([uid2.Value], found);

        var archive = await client.GetFolderAsync("Archive", ct);
        var copied = await projects.CopyToAsync(uid.Value, archive, ct);
        Assert.Equal(1u, copied!.Value.Id);
        var moved = await projects.MoveToAsync([uid.Value, uid2.Value], sub, ct);
        Assert.Equal([new UniqueId(1), new UniqueId(2)], moved.Destination.ToList().Select(u => new UniqueId(u.Id)));
        Assert.Equal(0, projects.Count);
        await projects.CloseAsync(false, ct);

        await sub.RenameAsync(root, "Done", ct);
        Assert.NotNull(await store.GetMailboxAsync(alice.Id, "Done"));
        Assert.Equal(2, (await store.GetMailboxAsync(alice.Id, "Done"))!.MessageCount);
        await projects.DeleteAsync(ct);
        Assert.Null(await store.GetMailboxAsync(alice.Id, "Projekte ü"));

        var folders = await client.GetFoldersAsync(client.PersonalNamespaces[0], cancellationToken: ct);
        Assert.Contains(folders, f => f.FullName == "Done");
        Assert.DoesNotContain(folders, f => f.FullName.StartsWith("Projekte", StringComparison.Ordinal));
        await client.DisconnectAsync(true, ct);
    }

    [Fact]
    public async Task MailKit_idle_sees_new_mail()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = cts.Token;
        var (store, auth, alice) = await TestServer.CreateStoreAsync();
        var inbox = (await store.GetMailboxAsync(alice.Id, "INBOX"))!;
        using var client = await ConnectAsync(store, auth, ct);
        await client.Inbox.OpenAsync(FolderAccess.ReadOnly, ct);
        Assert.Equal(0, client.Inbox.Count);

        using var done = new CancellationTokenSource();
        var arrived = new TaskCompletionSource();
        client.Inbox.CountChanged += (_, _) =>
        {
            arrived.TrySetResult();
            done.Cancel();
        };
        var idle = client.IdleAsync(done.Token, ct);
        await store.AppendAsync(inbox.Id, new MemoryStream("Subject: hi\r\n\r\nhi\r\n"u8.ToArray()), Postern.Storage.MessageFlags.None, DateTimeOffset.UtcNow, ct);
        await arrived.Task.WaitAsync(TimeSpan.FromSeconds(10), ct);
        await idle.WaitAsync(TimeSpan.FromSeconds(10), ct);
        Assert.Equal(1, client.Inbox.Count);
        await client.DisconnectAsync(true, ct);
    }
}
