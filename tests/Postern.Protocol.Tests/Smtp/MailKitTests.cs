using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using Postern.Net;
using Postern.Protocol.Tests.Support;
using Postern.Smtp;
using Postern.Storage;
using Xunit;

namespace Postern.Protocol.Tests.Smtp;

/// <summary>MailKit plays the polite client: if it can submit, real mail programs can.</summary>
public class MailKitTests
{
    [Theory]
    [InlineData(TlsMode.StartTls, SecureSocketOptions.StartTls)]
    [InlineData(TlsMode.Implicit, SecureSocketOptions.SslOnConnect)]
    public async Task MailKit_submits_a_message(TlsMode mode, SecureSocketOptions socketOptions)
    {
        var (store, auth, alice) = await TestServer.CreateStoreAsync();
        string spool = Path.Combine(Path.GetTempPath(), "postern-smtp-test-" + Guid.NewGuid().ToString("N"));
        try
        {
            var handler = new SmtpHandler(store, auth, new ServerIdentity("mail.test"), new SmtpOptions { SpoolDirectory = spool }, new CapturingLogger());
            var (stream, session) = TestServer.Start(handler, MailProtocol.Submission, mode);
            using var client = new SmtpClient { ServerCertificateValidationCallback = (_, cert, _, _) => cert?.GetCertHashString() == TestServer.Tls.Certificate.GetCertHashString() };
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await client.ConnectAsync(stream, "mail.test", 587, socketOptions, cts.Token);
            Assert.True(client.IsSecure);
            Assert.True(client.Capabilities.HasFlag(SmtpCapabilities.Pipelining));
            Assert.Contains("PLAIN", client.AuthenticationMechanisms);
            await client.AuthenticateAsync("alice@example.org", "secret", cts.Token);

            var message = new MimeMessage();
            message.From.Add(MailboxAddress.Parse("alice@example.org"));
            message.To.Add(MailboxAddress.Parse("alice@example.org"));
            message.To.Add(MailboxAddress.Parse("friend@remote.test"));
            message.Subject = "Hello";
            message.Body = new TextPart("plain") { Text = "Hi!\n.\nA dot line above.\n" };
            await client.SendAsync(message, cts.Token);
            await client.DisconnectAsync(true, cts.Token);

            var (envelope, content) = Assert.Single(store.Accepted);
            Assert.Equal([alice.Id], envelope.LocalAccounts);
            Assert.Equal(["friend@remote.test"], envelope.RemoteRecipients);
            using var parsed = await MimeMessage.LoadAsync(new MemoryStream(content));
            Assert.Equal("Hello", parsed.Subject);
            Assert.Contains("A dot line above.", parsed.TextBody);
            Assert.Contains("\n.\n", parsed.TextBody!.Replace("\r\n", "\n"));
            Assert.Single(parsed.Headers, h => h.Id == HeaderId.Received);
            Assert.Equal(1, await store.CountQueuedAsync());
            await session.WaitAsync(TimeSpan.FromSeconds(15));
        }
        finally
        {
            if (Directory.Exists(spool))
            {
                Assert.Empty(Directory.GetFiles(spool));
                Directory.Delete(spool, true);
            }
        }
    }
}
