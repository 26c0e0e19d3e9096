using System.Text;
using Postern.Integration.Tests.Support;
using Xunit.Abstractions;

namespace Postern.Integration.Tests.Hostile;

/// <summary>
/// Issue 9 point 7: recipients per message on port 25 (1,001 were all accepted; Postfix's
/// smtpd_recipient_limit is 1000, answered with 452) and transactions per session. The submission
/// limit of 100 is tested in FramingLimitTests.
/// </summary>
[Collection(CountLimitCollection.Name)]
public sealed class RecipientLimitTests(CountLimitServer fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(120);

    private PosternServer S => fixture.Server;

    private async Task<RawClient> MxAsync()
    {
        var smtp = await RawClient.ConnectAsync(S, 25);
        smtp.Timeout = Bound;
        Assert.StartsWith("220 ", await smtp.ReadSmtpReplyAsync(), StringComparison.Ordinal);
        await smtp.SendAsync("EHLO relay.remote.test\r\n");
        Assert.StartsWith("250 ", await smtp.ReadSmtpReplyAsync(), StringComparison.Ordinal);
        return smtp;
    }

    [Fact]
    public async Task Port_25_takes_1000_recipients_and_answers_the_1001st_with_452()
    {
        var recipients = await fixture.AddLocalAccountsAsync(1001);
        await using var smtp = await MxAsync();
        await smtp.SendAsync("MAIL FROM:<list@remote.test>\r\n");
        Assert.Equal("250 2.1.0 Sender ok", await smtp.ReadSmtpReplyAsync());
        var batch = new StringBuilder();
        foreach (string r in recipients)
        {
            batch.Append($"RCPT TO:<{r}>\r\n");
        }

        await smtp.SendAsync(batch.ToString());
        for (int i = 0; i < recipients.Length; i++)
        {
            Assert.Equal(i < 1000 ? "250 2.1.5 Recipient ok" : "452 4.5.3 Too many recipients", await smtp.ReadSmtpReplyAsync());
        }

        // The message goes to the first 1000; the sender tries the 1001st in another transaction.
        await smtp.SendAsync("DATA\r\n");
        Assert.StartsWith("354 ", await smtp.ReadSmtpReplyAsync(), StringComparison.Ordinal);
        await smtp.SendAsync("Subject: to many\r\n\r\nhello\r\n.\r\n");
        string delivered = await smtp.ReadSmtpReplyAsync() ?? "(closed)";
        Assert.StartsWith("250 2.0.0 Ok: queued as ", delivered, StringComparison.Ordinal);
        output.WriteLine(delivered);
        await smtp.SendAsync($"MAIL FROM:<list@remote.test>\r\nRCPT TO:<{recipients[1000]}>\r\n");
        Assert.Equal("250 2.1.0 Sender ok", await smtp.ReadSmtpReplyAsync());
        Assert.Equal("250 2.1.5 Recipient ok", await smtp.ReadSmtpReplyAsync());
    }

    [Fact]
    public async Task The_1001st_transaction_of_a_session_gets_421_and_the_connection_closes()
    {
        await using var smtp = await MxAsync();
        string rcpt = ServerFixture.User("tx");
        // A bulk sender: 1000 small messages in one session, pipelined in groups.
        for (int group = 0; group < 10; group++)
        {
            var batch = new StringBuilder();
            for (int i = 0; i < 100; i++)
            {
                batch.Append($"MAIL FROM:<bulk@remote.test>\r\nRCPT TO:<{rcpt}>\r\nDATA\r\nSubject: {group * 100 + i}\r\n\r\nx\r\n.\r\n");
            }

            await smtp.SendAsync(batch.ToString());
            for (int i = 0; i < 100; i++)
            {
                Assert.Equal("250 2.1.0 Sender ok", await smtp.ReadSmtpReplyAsync());
                Assert.Equal("250 2.1.5 Recipient ok", await smtp.ReadSmtpReplyAsync());
                Assert.StartsWith("354 ", await smtp.ReadSmtpReplyAsync(), StringComparison.Ordinal);
                Assert.StartsWith("250 2.0.0 Ok: queued as ", await smtp.ReadSmtpReplyAsync(), StringComparison.Ordinal);
            }
        }

        await smtp.SendAsync("MAIL FROM:<bulk@remote.test>\r\n");
        Assert.Equal("421 4.7.0 Too many messages in this session; send the rest in a new connection", await smtp.ReadSmtpReplyAsync());
        Assert.Null(await smtp.ReadLineAsync(Bound));

        // A new connection goes on.
        await using var next = await MxAsync();
        await next.SendAsync("MAIL FROM:<bulk@remote.test>\r\n");
        Assert.Equal("250 2.1.0 Sender ok", await next.ReadSmtpReplyAsync());
    }
}
