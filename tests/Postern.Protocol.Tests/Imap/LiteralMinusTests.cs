using Postern.Imap;
using Xunit;

namespace Postern.Protocol.Tests.Imap;

/// <summary>LITERAL- (RFC 7888 4): {n+} up to 4096 octets only; larger ones get BAD and are skipped, never run as commands.</summary>
public class LiteralMinusTests
{
    private static ImapOptions Minus => new() { LiteralMinus = true };

    [Fact]
    public async Task Literal_minus_is_advertised_instead_of_literal_plus()
    {
        await using var f = await ImapFixture.LoggedInAsync(Minus);
        var caps = (await f.CommandAsync("a", "CAPABILITY"))[0].Split(' ');
        Assert.Contains("LITERAL-", caps);
        Assert.DoesNotContain("LITERAL+", caps);
    }

    [Fact]
    public async Task Small_nonsync_literal_is_accepted()
    {
        await using var f = await ImapFixture.LoggedInAsync(Minus);
        await f.Client.SendAsync("a CREATE {4+}\r\nWork\r\n");
        Assert.Equal(["a OK CREATE completed"], await f.Client.ReadUntilAsync("a "));
    }

    [Fact]
    public async Task Large_nonsync_literal_is_refused_and_its_content_is_not_executed()
    {
        await using var f = await ImapFixture.LoggedInAsync(Minus);
        // The literal's content looks like commands; none of it may run.
        string payload = ("x DELETE Sent\r\n" + new string('y', 4100))[..4097];
        await f.Client.SendAsync("a CREATE {4097+}\r\n" + payload + " {15+}\r\ny DELETE Drafts\r\n");
        Assert.Equal(["a BAD Non-synchronizing literal over 4096 octets; LITERAL- needs a synchronizing literal"], await f.Client.ReadUntilAsync("a "));
        Assert.Equal(["b OK NOOP completed"], await f.CommandAsync("b", "NOOP"));
        Assert.NotNull(await f.Store.GetMailboxAsync(f.Alice.Id, "Sent"));
        Assert.NotNull(await f.Store.GetMailboxAsync(f.Alice.Id, "Drafts"));
    }

    [Fact]
    public async Task Large_nonsync_append_is_refused_but_sync_append_works()
    {
        await using var f = await ImapFixture.LoggedInAsync(Minus);
        string msg = "Subject: big\r\n\r\n" + new string('z', 5000) + "\r\n";
        await f.Client.SendAsync($"a APPEND INBOX {{{msg.Length}+}}\r\n{msg}\r\n");
        Assert.Equal(["a BAD Non-synchronizing literal over 4096 octets; LITERAL- needs a synchronizing literal"], await f.Client.ReadUntilAsync("a "));
        Assert.Empty(await f.Store.ListMessagesAsync(f.Inbox.Id));

        await f.Client.SendLineAsync($"b APPEND INBOX {{{msg.Length}}}");
        Assert.Equal("+ Ready for literal data", await f.Client.ReadLineAsync());
        await f.Client.SendAsync(msg + "\r\n");
        Assert.StartsWith("b OK [APPENDUID", (await f.Client.ReadUntilAsync("b "))[^1]);
    }

    [Fact]
    public async Task Literal_plus_still_accepts_large_nonsync_literals()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        string name = new string('n', 5000);
        await f.Client.SendAsync($"a CREATE {{{name.Length}+}}\r\n{name}\r\n");
        Assert.DoesNotContain("BAD", (await f.Client.ReadUntilAsync("a "))[^1]);
    }

    [Fact]
    public async Task Nonsync_literal_beyond_the_literal_limit_closes_the_session_unread()
    {
        await using var f = await ImapFixture.LoggedInAsync(new ImapOptions { LiteralMinus = true, MaxLiteralSize = 8192 });
        await f.Client.SendAsync("a CREATE {9000+}\r\n" + new string('q', 100));
        Assert.Equal("* BYE Literal too large", await f.Client.ReadLineAsync());
        Assert.True(await f.Client.IsClosedAsync());
    }
}
