using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MailKit.Security;
using Microsoft.Extensions.Logging.Abstractions;
using Postern.Imap;
using Postern.Net;
using Postern.Protocol.Tests.Support;
using Xunit;

namespace Postern.Protocol.Tests.Imap;

/// <summary>MailKit as the polite client: what a real mail program does, end to end over the in-memory connection.</summary>
public class MailKitTests
{
    [Theory]
    [InlineData(TlsMode.StartTls)]
    [InlineData(TlsMode.Implicit)]
    public async Task MailKit_reads_and_flags_mail(TlsMode mode)
    {
        var (store, auth, alice) = await TestServer.CreateStoreAsync();
        var inbox = (await store.GetMailboxAsync(alice.Id, "INBOX"))!;
        await store.AppendAsync(inbox.Id, new MemoryStream(System.Text.Encoding.UTF8.GetBytes(ImapFixture.Simple)), Postern.Storage.MessageFlags.None, DateTimeOffset.UtcNow);
        await store.AppendAsync(inbox.Id, new MemoryStream(System.Text.Encoding.UTF8.GetBytes(ImapFixture.Multipart)), Postern.Storage.MessageFlags.None, DateTimeOffset.UtcNow);

        var handler = new ImapHandler(store, auth, new ServerIdentity("mail.test"), new ImapOptions(), NullLogger<ImapHandler>.Instance);
        var (stream, session) = TestServer.Start(handler, MailProtocol.Imap, mode);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var client = new ImapClient();
        string expected = TestServer.Tls.Certificate.GetCertHashString();
        client.ServerCertificateValidationCallback = (_, cert, _, _) => cert?.GetCertHashString() == expected;
        await client.ConnectAsync(stream, "mail.test", mode == TlsMode.Implicit ? 993 : 143,
            mode == TlsMode.Implicit ? SecureSocketOptions.SslOnConnect : SecureSocketOptions.StartTls, cts.Token);
        Assert.True(client.IsSecure);
        Assert.Contains("PLAIN", client.AuthenticationMechanisms);
        await client.AuthenticateAsync("alice@example.org", "secret", cts.Token);

        var folder = client.Inbox;
        await folder.OpenAsync(FolderAccess.ReadWrite, cts.Token);
        Assert.Equal(2, folder.Count);

        var summaries = await folder.FetchAsync(0, -1, MessageSummaryItems.UniqueId | MessageSummaryItems.Envelope | MessageSummaryItems.BodyStructure | MessageSummaryItems.Flags | MessageSummaryItems.Size, cts.Token);
        Assert.Equal(2, summaries.Count);
        Assert.Equal("Hello Alice", summaries[0].Envelope!.Subject);
        Assert.Equal("bob@example.net", summaries[0].Envelope!.From.Mailboxes.Single().Address);
        Assert.Equal("Report attached", summaries[1].Envelope!.Subject);
        Assert.Single(summaries[1].Attachments);
        Assert.Equal("r.bin", summaries[1].Attachments.Single().FileName);
        var textBody = summaries[1].TextBody;
        Assert.NotNull(textBody);
        Assert.True(textBody.ContentType.IsMimeType("text", "plain"));

        var message = await folder.GetMessageAsync(summaries[1].UniqueId, cts.Token);
        Assert.Equal("Report attached", message.Subject);
        Assert.Equal("See the attachment, banana.", message.TextBody!.Trim());

        var part = (MimeKit.TextPart)await folder.GetBodyPartAsync(summaries[1].UniqueId, textBody, cts.Token);
        Assert.Equal("See the attachment, banana.", part.Text.Trim());

        await folder.AddFlagsAsync(summaries[0].UniqueId, MailKit.MessageFlags.Flagged, silent: false, cts.Token);
        var found = await folder.SearchAsync(SearchQuery.Flagged, cts.Token);
        Assert.Equal([summaries[0].UniqueId], found);
        var bySubject = await folder.SearchAsync(SearchQuery.SubjectContains("report"), cts.Token);
        Assert.Equal([summaries[1].UniqueId], bySubject);

        await folder.AddFlagsAsync(summaries[0].UniqueId, MailKit.MessageFlags.Deleted, silent: true, cts.Token);
        await folder.ExpungeAsync(cts.Token);
        Assert.Equal(1, folder.Count);

        var folders = await client.GetFoldersAsync(client.PersonalNamespaces[0], cancellationToken: cts.Token);
        Assert.Contains(folders, f => f.Attributes.HasFlag(FolderAttributes.Sent) && f.Name == "Sent");

        await client.DisconnectAsync(true, cts.Token);
        await session.WaitAsync(TimeSpan.FromSeconds(10));
        var left = await store.ListMessagesAsync(inbox.Id);
        Assert.Single(left);
        Assert.Equal(summaries[1].UniqueId.Id, left[0].Uid);
    }
}
