using System.Text;
using Postern.Net;
using Postern.Storage;
using Postern.Storage.Quotas;
using Xunit;

namespace Postern.Protocol.Tests.Smtp;

/// <summary>
/// SMTP delivery against the quota: "552 5.2.2 Mailbox is full" at RCPT for a full mailbox (or one the
/// declared SIZE would overfill) and at the end of DATA; other recipients are not affected.
/// </summary>
public class QuotaTests
{
    /// <summary>alice@example.org may store 2000 octets, bob@example.net has no limit.</summary>
    private static void AliceLimited(Postern.Smtp.SmtpOptions o) =>
        o.Quota = new QuotaPolicy(0, new Dictionary<string, long> { ["alice@example.org"] = 2000 });

    private static async Task<SmtpHarness> RelayAsync()
    {
        var h = await SmtpHarness.StartAsync(MailProtocol.SmtpRelay, TlsMode.StartTls, AliceLimited);
        await h.EhloAsync("sender.test");
        return h;
    }

    /// <summary>Puts <paramref name="octets"/> octets of mail into the account's INBOX, bypassing SMTP.</summary>
    private static async Task FillAsync(SmtpHarness h, string address, int octets)
    {
        var account = (await h.Store.FindAccountAsync(address))!;
        var inbox = (await h.Store.GetMailboxAsync(account.Id, "INBOX"))!;
        await h.Store.AppendAsync(inbox.Id, new MemoryStream(new byte[octets]), MessageFlags.None, DateTimeOffset.UtcNow);
    }

    private static async Task<long> IdOfAsync(SmtpHarness h, string address) => (await h.Store.FindAccountAsync(address))!.Id;

    private static string Message(int bodyOctets) =>
        "Subject: quota\r\n\r\n" + string.Concat(Enumerable.Repeat(new string('q', 98) + "\r\n", bodyOctets / 100));

    [Fact]
    public async Task Full_mailbox_is_refused_at_rcpt_and_only_that_recipient()
    {
        await using var h = await RelayAsync();
        await FillAsync(h, "alice@example.org", 2000);
        Assert.Equal("250 2.1.0 Sender ok", await h.CommandAsync("MAIL FROM:<x@remote.test>"));
        Assert.Equal("552 5.2.2 Mailbox is full", await h.CommandAsync("RCPT TO:<alice@example.org>"));
        Assert.Equal("250 2.1.5 Recipient ok", await h.CommandAsync("RCPT TO:<bob@example.net>"));
        Assert.Equal("354 End data with <CR><LF>.<CR><LF>", await h.CommandAsync("DATA"));
        await h.SendAsync(Message(500) + ".\r\n");
        Assert.StartsWith("250 2.0.0 Ok: queued as ", await h.ReadAsync());

        var (envelope, _) = Assert.Single(h.Store.Accepted);
        Assert.Equal([await IdOfAsync(h, "bob@example.net")], envelope.LocalAccounts);
        Assert.Contains(h.Log.Events, e => e.Id.Id == 2011 && e.Message.Contains("alice@example.org", StringComparison.Ordinal));
        Assert.Equal(2000, await h.Store.GetAccountSizeAsync(await IdOfAsync(h, "alice@example.org")));
    }

    [Fact]
    public async Task Declared_size_that_would_not_fit_is_refused_at_rcpt()
    {
        await using var h = await RelayAsync();
        await FillAsync(h, "alice@example.org", 1000);
        Assert.Equal("250 2.1.0 Sender ok", await h.CommandAsync("MAIL FROM:<x@remote.test> SIZE=1001"));
        Assert.Equal("552 5.2.2 Mailbox is full", await h.CommandAsync("RCPT TO:<alice@example.org>"));
        Assert.Equal("250 2.1.5 Recipient ok", await h.CommandAsync("RCPT TO:<bob@example.net>"));
        Assert.Equal("250 2.0.0 Ok", await h.CommandAsync("RSET"));

        Assert.Equal("250 2.1.0 Sender ok", await h.CommandAsync("MAIL FROM:<x@remote.test> SIZE=1000"));
        Assert.Equal("250 2.1.5 Recipient ok", await h.CommandAsync("RCPT TO:<alice@example.org>"));
    }

    [Fact]
    public async Task Message_that_would_overfill_is_refused_at_end_of_data_and_not_stored()
    {
        await using var h = await RelayAsync();
        await FillAsync(h, "alice@example.org", 1500);
        Assert.Equal("250 2.1.0 Sender ok", await h.CommandAsync("MAIL FROM:<x@remote.test>"));
        Assert.Equal("250 2.1.5 Recipient ok", await h.CommandAsync("RCPT TO:<alice@example.org>"));
        Assert.Equal("354 End data with <CR><LF>.<CR><LF>", await h.CommandAsync("DATA"));
        await h.SendAsync(Message(600) + ".\r\n");
        Assert.Equal("552 5.2.2 Mailbox is full", await h.ReadAsync());
        Assert.Empty(h.Store.Accepted);
        Assert.Empty(h.SpoolFiles());

        // The session goes on, and a message that fits (Received header included) is delivered.
        Assert.Equal("250 2.1.0 Sender ok", await h.CommandAsync("MAIL FROM:<x@remote.test>"));
        Assert.Equal("250 2.1.5 Recipient ok", await h.CommandAsync("RCPT TO:<alice@example.org>"));
        Assert.Equal("354 End data with <CR><LF>.<CR><LF>", await h.CommandAsync("DATA"));
        await h.SendAsync(Message(200) + ".\r\n");
        Assert.StartsWith("250 2.0.0 Ok: queued as ", await h.ReadAsync());
        Assert.Single(h.Store.Accepted);
    }

    [Fact]
    public async Task Overfill_for_only_some_recipients_is_a_temporary_failure_for_the_message()
    {
        // One DATA reply covers all recipients: 452 so nobody's copy is lost; the retry's RCPT refuses alice alone.
        await using var h = await RelayAsync();
        await FillAsync(h, "alice@example.org", 1500);
        Assert.Equal("250 2.1.0 Sender ok", await h.CommandAsync("MAIL FROM:<x@remote.test>"));
        Assert.Equal("250 2.1.5 Recipient ok", await h.CommandAsync("RCPT TO:<alice@example.org>"));
        Assert.Equal("250 2.1.5 Recipient ok", await h.CommandAsync("RCPT TO:<bob@example.net>"));
        Assert.Equal("354 End data with <CR><LF>.<CR><LF>", await h.CommandAsync("DATA"));
        await h.SendAsync(Message(600) + ".\r\n");
        Assert.Equal("452 4.2.2 Mailbox is full for some recipients; try again later", await h.ReadAsync());
        Assert.Empty(h.Store.Accepted);
    }

    [Fact]
    public async Task Submission_to_a_full_local_user_is_refused()
    {
        await using var h = await SmtpHarness.StartAsync(MailProtocol.Submission, TlsMode.Implicit,
            o => o.Quota = new QuotaPolicy(0, new Dictionary<string, long> { ["bob@example.net"] = 1024 }));
        await h.LoginAsync();
        await FillAsync(h, "bob@example.net", 1024);
        Assert.Equal("250 2.1.0 Sender ok", await h.CommandAsync("MAIL FROM:<alice@example.org>"));
        Assert.Equal("552 5.2.2 Mailbox is full", await h.CommandAsync("RCPT TO:<bob@example.net>"));
        Assert.Equal("250 2.1.5 Recipient ok", await h.CommandAsync("RCPT TO:<carol@remote.test>"));
    }

    [Fact]
    public async Task Full_mailbox_replies_do_not_count_as_client_errors()
    {
        await using var h = await SmtpHarness.StartAsync(MailProtocol.SmtpRelay, TlsMode.StartTls, o =>
        {
            AliceLimited(o);
            o.MaxErrors = 2;
        });
        await h.EhloAsync("sender.test");
        await FillAsync(h, "alice@example.org", 2000);
        Assert.Equal("250 2.1.0 Sender ok", await h.CommandAsync("MAIL FROM:<x@remote.test>"));
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal("552 5.2.2 Mailbox is full", await h.CommandAsync("RCPT TO:<alice@example.org>"));
        }

        Assert.Equal("250 2.0.0 Ok", await h.CommandAsync("NOOP"));
    }
}
