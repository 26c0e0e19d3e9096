using System.Text;
using Postern.Imap;
using Postern.Storage.Quotas;
using Xunit;

namespace Postern.Protocol.Tests.Imap;

/// <summary>QUOTA (RFC 9208): one root "User quota" per limited account, STORAGE in KiB, OVERQUOTA on APPEND and COPY.</summary>
public class QuotaTests
{
    /// <summary>ImapFixture.Simple is 180 octets.</summary>
    private const int SimpleSize = 180;

    private static ImapOptions Limited(long bytes) => new() { Quota = new QuotaPolicy(bytes) };

    private static int Octets(string s) => Encoding.UTF8.GetByteCount(s);

    private static async Task FillAsync(ImapFixture f, int messages, string mailbox = "INBOX")
    {
        for (int i = 0; i < messages; i++)
        {
            await f.AppendAsync(ImapFixture.Simple, mailbox: mailbox);
        }
    }

    [Fact]
    public void Simple_message_has_the_size_the_tests_assume()
    {
        Assert.Equal(SimpleSize, Octets(ImapFixture.Simple));
    }

    [Fact]
    public async Task Capabilities_announce_quota_and_the_storage_resource()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        var lines = await f.CommandAsync("a", "CAPABILITY");
        var caps = lines[0].Split(' ');
        Assert.Contains("QUOTA", caps);
        Assert.Contains("QUOTA=RES-STORAGE", caps);
        Assert.DoesNotContain("QUOTASET", caps);
    }

    [Fact]
    public async Task Getquotaroot_reports_the_root_and_usage_in_kib_rounded_up()
    {
        await using var f = await ImapFixture.LoggedInAsync(Limited(10 * 1024));
        await FillAsync(f, 3);                   // 540 octets in INBOX
        await FillAsync(f, 4, mailbox: "Sent");  // 720 in Sent: 1260 in all, 2 KiB rounded up
        Assert.Equal(
            ["* QUOTAROOT INBOX \"User quota\"", "* QUOTA \"User quota\" (STORAGE 2 10)", "a OK GETQUOTAROOT completed"],
            await f.CommandAsync("a", "GETQUOTAROOT inbox"));
        Assert.Equal(
            ["* QUOTAROOT Sent \"User quota\"", "* QUOTA \"User quota\" (STORAGE 2 10)", "b OK GETQUOTAROOT completed"],
            await f.CommandAsync("b", "GETQUOTAROOT Sent"));
    }

    [Fact]
    public async Task Getquota_knows_only_the_user_quota_root()
    {
        await using var f = await ImapFixture.LoggedInAsync(Limited(1024 * 1024));
        Assert.Equal(["* QUOTA \"User quota\" (STORAGE 0 1024)", "a OK GETQUOTA completed"], await f.CommandAsync("a", "GETQUOTA \"User quota\""));
        Assert.Equal(["b NO [NONEXISTENT] No such quota root"], await f.CommandAsync("b", "GETQUOTA \"\""));
    }

    [Fact]
    public async Task Unlimited_account_has_no_quota_root()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        Assert.Equal(["* QUOTAROOT INBOX", "a OK GETQUOTAROOT completed"], await f.CommandAsync("a", "GETQUOTAROOT INBOX"));
        Assert.Equal(["b NO [NONEXISTENT] No such quota root"], await f.CommandAsync("b", "GETQUOTA \"User quota\""));
    }

    [Fact]
    public async Task Per_user_override_of_zero_exempts_the_account()
    {
        var policy = new QuotaPolicy(1024, new Dictionary<string, long> { ["ALICE@example.org"] = 0 });
        await using var f = await ImapFixture.LoggedInAsync(new ImapOptions { Quota = policy });
        Assert.Equal(["* QUOTAROOT INBOX", "a OK GETQUOTAROOT completed"], await f.CommandAsync("a", "GETQUOTAROOT INBOX"));
        Assert.Null(policy.LimitFor("alice@EXAMPLE.org"));
        Assert.Equal(1024, policy.LimitFor("bob@example.org"));
    }

    [Fact]
    public async Task Getquotaroot_of_a_missing_mailbox_is_no_and_bad_arguments_are_bad()
    {
        await using var f = await ImapFixture.LoggedInAsync(Limited(4096));
        Assert.Equal(["a NO [NONEXISTENT] No such mailbox"], await f.CommandAsync("a", "GETQUOTAROOT Nowhere"));
        Assert.Equal(["b BAD Wrong number of arguments"], await f.CommandAsync("b", "GETQUOTAROOT"));
        Assert.Equal(["c BAD Wrong number of arguments"], await f.CommandAsync("c", "GETQUOTA"));
    }

    [Fact]
    public async Task Setquota_is_refused_because_limits_come_from_configuration()
    {
        await using var f = await ImapFixture.LoggedInAsync(Limited(4096));
        Assert.Equal(
            ["a NO [NOPERM] Quota limits are set by the administrator in the server configuration"],
            await f.CommandAsync("a", "SETQUOTA \"User quota\" (STORAGE 999999)"));
        Assert.Equal(["b OK GETQUOTA completed"], (await f.CommandAsync("b", "GETQUOTA \"User quota\""))[1..]);
    }

    [Fact]
    public async Task Quota_commands_need_login()
    {
        await using var f = await ImapFixture.StartAsync(Postern.Net.TlsMode.Implicit, Limited(4096));
        Assert.Equal(["a BAD Command not allowed before login"], await f.CommandAsync("a", "GETQUOTAROOT INBOX"));
    }

    [Fact]
    public async Task Append_over_quota_is_refused_before_the_continuation_and_stores_nothing()
    {
        await using var f = await ImapFixture.LoggedInAsync(Limited(1000));
        await FillAsync(f, 5); // 900 of 1000
        await f.Client.SendLineAsync($"a APPEND INBOX {{{SimpleSize}}}");
        Assert.Equal("a NO [OVERQUOTA] Quota exceeded", await f.Client.ReadLineAsync());

        // A non-synchronising literal is skipped, not read as commands.
        await f.Client.SendAsync($"b APPEND INBOX {{{SimpleSize}+}}\r\n{ImapFixture.Simple}\r\n");
        Assert.Equal(["b NO [OVERQUOTA] Quota exceeded"], await f.Client.ReadUntilAsync("b "));
        Assert.Equal(["c OK NOOP completed"], await f.CommandAsync("c", "NOOP"));
        Assert.Equal(5, (await f.Store.ListMessagesAsync(f.Inbox.Id)).Count);
    }

    [Fact]
    public async Task Append_that_reaches_the_limit_exactly_is_accepted()
    {
        await using var f = await ImapFixture.LoggedInAsync(Limited(1000));
        await FillAsync(f, 5); // 900 of 1000
        string hundred = "Subject: x\r\n\r\n" + new string('y', 100 - 14 - 2) + "\r\n";
        Assert.Equal(100, Octets(hundred));
        await f.Client.SendAsync($"a APPEND INBOX {{100+}}\r\n{hundred}\r\n");
        Assert.StartsWith("a OK [APPENDUID", (await f.Client.ReadUntilAsync("a "))[^1]);
        Assert.Equal(1000, await f.Store.GetAccountSizeAsync(f.Alice.Id));

        await f.Client.SendLineAsync("b APPEND INBOX {1}");
        Assert.Equal("b NO [OVERQUOTA] Quota exceeded", await f.Client.ReadLineAsync());
    }

    [Fact]
    public async Task Copy_counts_the_copied_sizes()
    {
        await using var f = await ImapFixture.LoggedInAsync(Limited(1000));
        await FillAsync(f, 3); // 540 of 1000
        await f.CommandAsync("s", "SELECT INBOX");
        Assert.Equal(["a NO [OVERQUOTA] Quota exceeded"], await f.CommandAsync("a", "COPY 1:3 Archive"));
        var archive = (await f.Store.GetMailboxAsync(f.Alice.Id, "Archive"))!;
        Assert.Empty(await f.Store.ListMessagesAsync(archive.Id));

        Assert.EndsWith("COPY completed", (await f.CommandAsync("b", "COPY 1:2 Archive"))[^1]);
        Assert.Equal(900, await f.Store.GetAccountSizeAsync(f.Alice.Id));
    }

    [Fact]
    public async Task Move_is_allowed_even_over_quota_because_usage_does_not_grow()
    {
        await using var f = await ImapFixture.LoggedInAsync(Limited(500));
        await FillAsync(f, 3); // 540 of 500: over (delivered before the limit was lowered)
        await f.CommandAsync("s", "SELECT INBOX");
        var lines = await f.CommandAsync("a", "MOVE 1:3 Trash");
        Assert.Equal("a OK MOVE completed", lines[^1]);
        Assert.Equal(540, await f.Store.GetAccountSizeAsync(f.Alice.Id));

        // Deleting is how the user gets below the limit again; then APPEND works.
        await f.CommandAsync("t", "SELECT Trash");
        await f.CommandAsync("u", "STORE 1:3 +FLAGS.SILENT (\\Deleted)");
        await f.CommandAsync("v", "EXPUNGE");
        await f.Client.SendAsync($"b APPEND INBOX {{{SimpleSize}+}}\r\n{ImapFixture.Simple}\r\n");
        Assert.StartsWith("b OK [APPENDUID", (await f.Client.ReadUntilAsync("b "))[^1]);
    }

    [Fact]
    public void Quota_state_rounds_usage_up_and_limit_down()
    {
        var state = new QuotaState(1025, 2047);
        Assert.Equal(2, state.UsageKiB);
        Assert.Equal(1, state.LimitKiB);
        Assert.True(state.Fits(1022));
        Assert.False(state.Fits(1023));
        Assert.False(QuotaPolicy.Unlimited.IsEnabled);
        Assert.True(new QuotaPolicy(0, new Dictionary<string, long> { ["a@b"] = 1 }).IsEnabled);
    }
}
