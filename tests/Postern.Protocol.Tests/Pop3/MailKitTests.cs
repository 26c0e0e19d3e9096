using MailKit.Net.Pop3;
using MailKit.Security;
using Postern.Net;
using Postern.Pop3;
using Postern.Protocol.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Postern.Protocol.Tests.Pop3;

/// <summary>MailKit plays the polite client over the in-memory stream.</summary>
public sealed class MailKitTests
{
    [Fact]
    public async Task MailKit_reads_and_deletes_over_stls()
    {
        var world = await Pop3World.CreateAsync();
        await world.AddAsync("From: bob@example.net\r\nSubject: first\r\n\r\n.dotted line\r\nbody\r\n");
        var keep = await world.AddAsync("From: bob@example.net\r\nSubject: second\r\n\r\nkeep me\r\n");

        var handler = new Pop3Handler(world.Store, world.Auth, new ServerIdentity("mail.example.org"), new Pop3Options(), NullLogger<Pop3Handler>.Instance);
        var (stream, session) = TestServer.Start(handler, MailProtocol.Pop3, TlsMode.StartTls);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var client = new Pop3Client();
        client.ServerCertificateValidationCallback = (_, cert, _, _) =>
            cert?.GetCertHashString() == TestServer.Tls.Certificate.GetCertHashString();

        await client.ConnectAsync(stream, "mail.test", 110, SecureSocketOptions.StartTls, cts.Token);
        Assert.True(client.IsSecure);
        Assert.True(client.Capabilities.HasFlag(Pop3Capabilities.UIDL));
        await client.AuthenticateAsync("alice@example.org", "secret", cts.Token);
        Assert.Equal(2, client.Count);

        var message = await client.GetMessageAsync(0, cts.Token);
        Assert.Equal("first", message.Subject);
        Assert.Equal(".dotted line\r\nbody\r\n", message.TextBody?.ReplaceLineEndings("\r\n"));
        Assert.Equal("1.1", await client.GetMessageUidAsync(0, cts.Token));

        await client.DeleteMessageAsync(0, cts.Token);
        await client.DisconnectAsync(true, cts.Token);
        await session.WaitAsync(Pop3Test.SessionWait);

        Assert.Equal([keep], await world.UidsAsync());
    }
}
