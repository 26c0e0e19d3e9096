using System.Diagnostics;
using Postern.Imap;
using Postern.Storage;
using Xunit;

namespace Postern.Protocol.Tests.Imap;

/// <summary>IDLE (RFC 2177) and changes made by other sessions, seen at IDLE and NOOP.</summary>
public class IdleTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Idle_reports_a_delivery_by_another_session_promptly()
    {
        await using var one = await ImapFixture.LoggedInAsync();
        await using var two = await one.SecondSessionAsync();
        await one.AppendAsync(ImapFixture.Simple);
        await two.CommandAsync("s", "SELECT INBOX");

        await two.Client.SendLineAsync("i IDLE");
        Assert.Equal("+ idling", await two.Client.ReadLineAsync().WaitAsync(Bound));

        // Session 1 appends through IMAP; session 2 must hear of it while idling.
        var clock = Stopwatch.StartNew();
        int size = System.Text.Encoding.UTF8.GetByteCount(ImapFixture.Multipart);
        await one.Client.SendAsync($"a APPEND INBOX {{{size}+}}\r\n{ImapFixture.Multipart}\r\n");
        Assert.StartsWith("a OK [APPENDUID", (await one.Client.ReadUntilAsync("a ").WaitAsync(Bound))[^1]);
        Assert.Equal("* 2 EXISTS", await two.Client.ReadLineAsync().WaitAsync(Bound));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"EXISTS came after {clock.Elapsed}");

        // Session two is the only one with INBOX selected, so it is told first: \Recent is its.
        Assert.Equal("* 2 RECENT", await two.Client.ReadLineAsync().WaitAsync(Bound));

        // A delivery straight into the store is reported too, and so are flag changes.
        await one.Store.AppendAsync(one.Inbox.Id, new MemoryStream("Subject: x\r\n\r\nx\r\n"u8.ToArray()), MessageFlags.None, DateTimeOffset.UtcNow);
        Assert.Equal("* 3 EXISTS", await two.Client.ReadLineAsync().WaitAsync(Bound));
        Assert.Equal("* 3 RECENT", await two.Client.ReadLineAsync().WaitAsync(Bound));
        await one.CommandAsync("s", "SELECT INBOX");
        Assert.Equal(["* 1 FETCH (FLAGS (\\Seen))", "b OK STORE completed"], await one.CommandAsync("b", "STORE 1 +FLAGS (\\Seen)"));
        Assert.Equal("* 1 FETCH (FLAGS (\\Seen \\Recent))", await two.Client.ReadLineAsync().WaitAsync(Bound));

        await two.Client.SendLineAsync("DONE");
        Assert.Equal("i OK IDLE terminated", await two.Client.ReadLineAsync().WaitAsync(Bound));
        Assert.Equal(["n OK NOOP completed"], await two.CommandAsync("n", "NOOP"));
    }

    [Fact]
    public async Task Expunge_by_another_session_is_seen_at_noop_and_idle()
    {
        await using var one = await ImapFixture.LoggedInAsync();
        await using var two = await one.SecondSessionAsync();
        await one.AppendAsync(ImapFixture.Simple);
        await one.AppendAsync(ImapFixture.Simple);
        await one.AppendAsync(ImapFixture.Simple);
        await one.CommandAsync("s", "SELECT INBOX");
        await two.CommandAsync("s", "SELECT INBOX");

        await one.CommandAsync("a", "STORE 2 +FLAGS.SILENT (\\Deleted)");
        Assert.Equal(["* 2 EXPUNGE", "b OK EXPUNGE completed"], await one.CommandAsync("b", "EXPUNGE"));

        // Not during FETCH (RFC 3501 7.4.1): session 2 still sees three messages there...
        var fetch = await two.CommandAsync("c", "FETCH 1:* UID");
        Assert.Equal(["* 1 FETCH (UID 1)", "* 2 FETCH (UID 2)", "* 3 FETCH (UID 3)", "c OK FETCH completed"], fetch);

        // ...and learns of the expunge at NOOP.
        Assert.Equal(["* 2 EXPUNGE", "d OK NOOP completed"], await two.CommandAsync("d", "NOOP"));
        Assert.Equal(["* 1 FETCH (UID 1)", "* 2 FETCH (UID 3)", "e OK FETCH completed"], await two.CommandAsync("e", "FETCH 1:* UID"));

        await two.Client.SendLineAsync("i IDLE");
        Assert.Equal("+ idling", await two.Client.ReadLineAsync().WaitAsync(Bound));
        Assert.Equal(["* 1 EXPUNGE", "f OK MOVE completed"], (await one.CommandAsync("f", "MOVE 1 Trash")).Where(l => !l.StartsWith("* OK", StringComparison.Ordinal)));
        Assert.Equal("* 1 EXPUNGE", await two.Client.ReadLineAsync().WaitAsync(Bound));
        await two.Client.SendLineAsync("DONE");
        Assert.Equal("i OK IDLE terminated", await two.Client.ReadLineAsync().WaitAsync(Bound));
    }

    [Fact]
    public async Task Anything_but_done_ends_idle_with_bad_and_pipelined_commands_survive()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        await f.Client.SendLineAsync("i IDLE");
        Assert.Equal("+ idling", await f.Client.ReadLineAsync());
        await f.Client.SendLineAsync("x NOOP");
        Assert.Equal("i BAD Expected DONE", await f.Client.ReadLineAsync());

        await f.Client.SendLineAsync("j IDLE");
        Assert.Equal("+ idling", await f.Client.ReadLineAsync());
        await f.Client.SendAsync("done\r\nk NOOP\r\n");
        Assert.Equal("j OK IDLE terminated", await f.Client.ReadLineAsync());
        Assert.Equal("k OK NOOP completed", await f.Client.ReadLineAsync());
    }

    [Fact]
    public async Task Mailbox_deleted_by_another_session()
    {
        await using var one = await ImapFixture.LoggedInAsync();
        await using var two = await one.SecondSessionAsync();
        await one.CommandAsync("a", "CREATE Tmp");
        await two.CommandAsync("s", "SELECT Tmp");
        Assert.Equal(["b NO [INUSE] Close the mailbox before deleting it"], await two.CommandAsync("b", "DELETE Tmp"));
        Assert.Equal(["c OK DELETE completed"], await one.CommandAsync("c", "DELETE Tmp"));
        Assert.Equal(["d NO [NONEXISTENT] No such mailbox"], await two.CommandAsync("d", "NOOP"));

        await one.CommandAsync("e", "CREATE Tmp2");
        await two.CommandAsync("s", "SELECT Tmp2");
        await two.Client.SendLineAsync("i IDLE");
        Assert.Equal("+ idling", await two.Client.ReadLineAsync().WaitAsync(Bound));
        Assert.Equal(["f OK DELETE completed"], await one.CommandAsync("f", "DELETE Tmp2"));
        Assert.Equal("* BYE Selected mailbox no longer exists", await two.Client.ReadLineAsync().WaitAsync(Bound));
        Assert.True(await two.Client.IsClosedAsync());
    }

    [Fact]
    public async Task Idle_times_out_per_authenticated_timeout()
    {
        await using var f = await ImapFixture.LoggedInAsync(new ImapOptions { AuthenticatedTimeout = TimeSpan.FromMilliseconds(300) });
        await f.Client.SendLineAsync("i IDLE");
        Assert.Equal("+ idling", await f.Client.ReadLineAsync());
        Assert.StartsWith("* BYE", await f.Client.ReadLineAsync().WaitAsync(Bound));
        Assert.True(await f.Client.IsClosedAsync());
    }
}
