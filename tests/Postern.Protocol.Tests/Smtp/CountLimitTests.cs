using System.Text;
using Postern.Net;
using Xunit;

namespace Postern.Protocol.Tests.Smtp;

/// <summary>
/// Issue 9 point 7, the counts Postfix bounds: junk commands, recipients per message on each kind
/// of port, and transactions per session (small limits here; the defaults are tested on the wire
/// in Integration.Tests/Hostile).
/// </summary>
public sealed class CountLimitTests
{
    [Fact]
    public async Task Junk_commands_past_the_limit_count_as_errors_until_421()
    {
        await using var h = await SmtpHarness.StartAsync(MailProtocol.SmtpRelay, TlsMode.StartTls, o =>
        {
            o.MaxJunkCommands = 5;
            o.MaxErrors = 3;
        });
        await h.EhloAsync(); // junk 1
        await h.SendAsync("NOOP\r\nRSET\r\nVRFY x\r\nHELP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\n");
        Assert.Equal("250 2.0.0 Ok", await h.ReadAsync());
        Assert.Equal("250 2.0.0 Ok", await h.ReadAsync());
        Assert.StartsWith("252 ", await h.ReadAsync());
        Assert.StartsWith("214-", await h.ReadAsync());
        Assert.StartsWith("214 ", await h.ReadAsync());
        // Junk 6, 7 and 8 are answered, each counting as an error; the third error closes.
        Assert.Equal("250 2.0.0 Ok", await h.ReadAsync());
        Assert.Equal("250 2.0.0 Ok", await h.ReadAsync());
        Assert.Equal("250 2.0.0 Ok", await h.ReadAsync());
        Assert.Equal("421 4.7.0 Too many errors", await h.ReadAsync());
        Assert.True(await h.Client.IsClosedAsync());
        Assert.True(await h.SessionEndsAsync());
        Assert.Contains(h.Log.Events, e => e.Id.Id == 2012);
    }

    [Fact]
    public async Task A_delivered_message_starts_the_junk_count_again()
    {
        await using var h = await SmtpHarness.StartAsync(MailProtocol.SmtpRelay, TlsMode.StartTls, o =>
        {
            o.MaxJunkCommands = 3;
            o.MaxErrors = 1;
        });
        for (int round = 0; round < 3; round++)
        {
            // EHLO (first round only) and NOOPs up to the limit, then a message.
            if (round == 0)
            {
                await h.EhloAsync();
            }
            else
            {
                Assert.Equal("250 2.0.0 Ok", await h.CommandAsync("NOOP"));
            }

            Assert.Equal("250 2.0.0 Ok", await h.CommandAsync("NOOP"));
            Assert.Equal("250 2.0.0 Ok", await h.CommandAsync("NOOP"));
            Assert.Equal("250 2.1.0 Sender ok", await h.CommandAsync("MAIL FROM:<x@remote.test>"));
            Assert.Equal("250 2.1.5 Recipient ok", await h.CommandAsync("RCPT TO:<alice@example.org>"));
            Assert.StartsWith("354 ", await h.CommandAsync("DATA"));
            Assert.StartsWith("250 2.0.0 Ok: queued as ", await h.CommandAsync("Subject: x\r\n\r\nhi\r\n."));
        }

        Assert.Equal(3, h.Store.Accepted.Count);
        // Without a delivery, one more than the limit ends the session (MaxErrors = 1).
        await h.SendAsync("NOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\n");
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal("250 2.0.0 Ok", await h.ReadAsync());
        }

        Assert.Equal("421 4.7.0 Too many errors", await h.ReadAsync());
    }

    [Theory]
    [InlineData(MailProtocol.SmtpRelay, 4)]
    [InlineData(MailProtocol.Submission, 2)]
    public async Task Each_kind_of_port_has_its_own_recipient_limit(MailProtocol protocol, int limit)
    {
        await using var h = await SmtpHarness.StartAsync(protocol, protocol == MailProtocol.Submission ? TlsMode.Implicit : TlsMode.StartTls, o =>
        {
            o.MaxRecipients = 4;
            o.MaxSubmissionRecipients = 2;
        });
        if (protocol == MailProtocol.Submission)
        {
            await h.LoginAsync();
            Assert.Equal("250 2.1.0 Sender ok", await h.CommandAsync("MAIL FROM:<alice@example.org>"));
        }
        else
        {
            await h.EhloAsync();
            Assert.Equal("250 2.1.0 Sender ok", await h.CommandAsync("MAIL FROM:<x@remote.test>"));
        }

        for (int i = 0; i < limit + 1; i++)
        {
            // Port 25 takes local recipients only; submission takes any.
            string to = protocol == MailProtocol.Submission ? $"r{i}@remote.test" : $"u{i}@example.org";
            if (protocol == MailProtocol.SmtpRelay)
            {
                await h.Store.AddAccountAsync(to, "x");
            }

            Assert.Equal(i < limit ? "250 2.1.5 Recipient ok" : "452 4.5.3 Too many recipients", await h.CommandAsync($"RCPT TO:<{to}>"));
        }
    }

    [Fact]
    public async Task Overshooting_the_recipient_limit_by_as_much_again_counts_as_errors()
    {
        await using var h = await SmtpHarness.StartAsync(MailProtocol.Submission, TlsMode.Implicit, o =>
        {
            o.MaxSubmissionRecipients = 2;
            o.MaxErrors = 2;
        });
        await h.LoginAsync();
        Assert.Equal("250 2.1.0 Sender ok", await h.CommandAsync("MAIL FROM:<alice@example.org>"));
        var batch = new StringBuilder();
        for (int i = 0; i < 6; i++)
        {
            batch.Append($"RCPT TO:<r{i}@remote.test>\r\n");
        }

        await h.SendAsync(batch.ToString());
        Assert.Equal("250 2.1.5 Recipient ok", await h.ReadAsync());
        Assert.Equal("250 2.1.5 Recipient ok", await h.ReadAsync());
        // Two refused for free (as many as the limit), then each counts: the second error closes.
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal("452 4.5.3 Too many recipients", await h.ReadAsync());
        }

        Assert.Equal("421 4.7.0 Too many errors", await h.ReadAsync());
        Assert.True(await h.Client.IsClosedAsync());
    }

    [Fact]
    public async Task The_transaction_after_the_limit_gets_421_and_the_session_closes()
    {
        await using var h = await SmtpHarness.StartAsync(MailProtocol.SmtpRelay, TlsMode.StartTls, o => o.MaxTransactions = 3);
        await h.EhloAsync();
        for (int i = 0; i < 3; i++)
        {
            // An aborted transaction counts as much as a delivered one (as Exim counts MAIL commands).
            Assert.Equal("250 2.1.0 Sender ok", await h.CommandAsync("MAIL FROM:<x@remote.test>"));
            Assert.Equal("250 2.0.0 Ok", await h.CommandAsync("RSET"));
        }

        Assert.Equal("421 4.7.0 Too many messages in this session; send the rest in a new connection", await h.CommandAsync("MAIL FROM:<x@remote.test>"));
        Assert.True(await h.Client.IsClosedAsync());
        Assert.True(await h.SessionEndsAsync());
    }
}
