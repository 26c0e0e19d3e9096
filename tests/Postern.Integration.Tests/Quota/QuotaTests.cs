using System.Text;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Net.Smtp;
using MimeKit;
using Postern.Integration.Tests.Support;

namespace Postern.Integration.Tests.Quota;

/// <summary>
/// QUOTA end to end against a real `postern serve` with 1 MB per account (alice 2 MB): MailKit reads
/// the quota, an APPEND over it fails and stores nothing, and SMTP delivery over it is refused with
/// 552 5.2.2 (MailKit on 25 and 587, swaks on 25).
/// </summary>
[Collection(QuotaServerCollection.Name)]
public sealed class QuotaTests(QuotaServerFixture server)
{
    /// <summary>A message of roughly <paramref name="octets"/> octets (lines of 78 + CRLF).</summary>
    private static MimeMessage Message(string subject, int octets, string to = "someone@example.test")
    {
        var text = new StringBuilder();
        text.Append("From: filler@example.test\r\nTo: ").Append(to).Append("\r\nSubject: ").Append(subject).Append("\r\n\r\n");
        while (text.Length < octets)
        {
            text.Append('x', 78).Append("\r\n");
        }

        return MimeMessage.Load(new MemoryStream(Encoding.ASCII.GetBytes(text.ToString())));
    }

    private async Task<int> CountAsync(string user)
    {
        using var imap = await server.ImapAsync(user);
        await imap.Inbox.OpenAsync(FolderAccess.ReadOnly);
        int count = imap.Inbox.Count;
        await imap.DisconnectAsync(true);
        return count;
    }

    /// <summary>Fills the user's INBOX with about 1,000,000 octets over IMAP (fits the 1 MB limit).</summary>
    private async Task FillAsync(string user)
    {
        using var imap = await server.ImapAsync(user);
        await imap.Inbox.AppendAsync(Message("filler", 1_000_000));
        await imap.DisconnectAsync(true);
    }

    [Fact]
    public async Task MailKit_sees_the_quota_capability_and_reads_the_limit()
    {
        using var imap = await server.ImapAsync(QuotaServerFixture.User("alice"));
        Assert.True(imap.Capabilities.HasFlag(ImapCapabilities.Quota), server.Log);

        await imap.Inbox.AppendAsync(Message("counted", 3000));
        var quota = await imap.Inbox.GetQuotaAsync();
        Assert.Equal(2048u, quota.StorageLimit);      // alice's own 2 MB, in KiB
        Assert.Equal(3u, quota.CurrentStorageSize);   // ~3000 octets, rounded up to KiB
        Assert.Null(quota.MessageLimit);
        Assert.Equal("User quota", quota.QuotaRoot?.FullName);

        var refused = await Assert.ThrowsAsync<ImapCommandException>(() => imap.Inbox.SetQuotaAsync(null, 999999));
        Assert.Contains("administrator", refused.Message);
        await imap.DisconnectAsync(true);
    }

    [Fact]
    public async Task Append_over_quota_fails_and_stores_nothing()
    {
        string bob = QuotaServerFixture.User("bob");
        using var imap = await server.ImapAsync(bob);
        Assert.NotNull(await imap.Inbox.AppendAsync(Message("first", 600_000)));
        var e = await Assert.ThrowsAsync<ImapCommandException>(() => imap.Inbox.AppendAsync(Message("second", 600_000)));
        Assert.Equal(ImapCommandResponse.No, e.Response);
        Assert.Contains("Quota exceeded", e.Message);

        await imap.Inbox.OpenAsync(FolderAccess.ReadOnly);
        Assert.Equal(1, imap.Inbox.Count);
        var quota = await imap.Inbox.GetQuotaAsync();
        Assert.Equal(1024u, quota.StorageLimit);
        Assert.InRange(quota.CurrentStorageSize ?? 0, 586u, 600u);
        await imap.DisconnectAsync(true);
    }

    [Fact]
    public async Task MailKit_delivery_on_port_25_to_a_full_mailbox_is_refused_with_552_5_2_2()
    {
        string carol = QuotaServerFixture.User("carol");
        await FillAsync(carol);
        using var smtp = await server.SmtpAsync(25);
        // MailKit declares SIZE= on MAIL, so the refusal comes at RCPT, before any data is sent.
        var e = await Assert.ThrowsAsync<SmtpCommandException>(() => smtp.SendAsync(Message("too big for carol", 100_000, carol)));
        Assert.Equal((SmtpStatusCode)552, e.StatusCode);
        Assert.Equal(SmtpErrorCode.RecipientNotAccepted, e.ErrorCode);
        Assert.Contains("Mailbox is full", e.Message);
        await smtp.DisconnectAsync(true);
        Assert.Equal(1, await CountAsync(carol));
    }

    [Fact]
    public async Task MailKit_submission_to_a_full_local_user_is_refused()
    {
        string dave = QuotaServerFixture.User("dave");
        string alice = QuotaServerFixture.User("alice");
        await FillAsync(dave);
        using var smtp = await server.SmtpAsync(587, alice);
        var message = Message("submitted to dave", 100_000, dave);
        message.From.Clear();
        message.From.Add(MailboxAddress.Parse(alice));
        var e = await Assert.ThrowsAsync<SmtpCommandException>(() => smtp.SendAsync(message));
        Assert.Equal((SmtpStatusCode)552, e.StatusCode);
        Assert.Contains("Mailbox is full", e.Message);
        await smtp.DisconnectAsync(true);
        Assert.Equal(1, await CountAsync(dave));
    }

    [SkippableFact]
    public async Task Swaks_delivery_that_would_overfill_is_refused_at_the_end_of_data()
    {
        var swaks = ExternalClient.Require("swaks");
        string erin = QuotaServerFixture.User("erin");
        await FillAsync(erin);
        // swaks sends no SIZE=, so RCPT passes (erin is below the limit) and the real size is checked after the data.
        string body = string.Join("\n", Enumerable.Repeat(new string('z', 76), 1000));
        var r = await ProcessRunner.RunAsync(swaks,
            ["--server", $"localhost:{server.Port(25)}", "--tls", "--tls-verify", "--tls-ca-path", server.CertPath,
             "--from", "sender@remote.test", "--to", erin, "--header", "Subject: swaks over quota", "--body", body, "--timeout", "30"]);
        Assert.NotEqual(0, r.ExitCode);
        Assert.Matches(@"<~?\*+ 552 5\.2\.2 Mailbox is full", r.All);
        Assert.Equal(1, await CountAsync(erin));
    }

    [Theory]
    [InlineData("--Quota:DefaultStorageMB=lots", "Quota:DefaultStorageMB is 'lots', which is not a whole number of megabytes")]
    [InlineData("--Quota:Users:alice@example.test=-5", "Quota:Users:alice@example.test is '-5', which is not a whole number of megabytes")]
    [InlineData("--Quota:Users:alice=5", "Quota:Users has the key 'alice'; use an account address")]
    [InlineData("--Quota:MaxMessages=5", "The configuration section Quota has an unknown key 'MaxMessages'")]
    public async Task A_bad_quota_setting_stops_serve_with_a_clear_error(string setting, string error)
    {
        // Config is read before any port is bound or the store opened, so the running server is not disturbed.
        var r = await PosternCli.RunAsync(server.DataDir, null, "serve", "--port-offset", ServerFixture.FindFreeOffset().ToString(),
            "--bind", "127.0.0.1", setting);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains(error, r.StdErr);
        Assert.DoesNotContain("   at ", r.All);
    }
}
