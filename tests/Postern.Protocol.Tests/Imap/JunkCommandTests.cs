using System.Text;
using Postern.Imap;
using Postern.Imap.Session;
using Postern.Net;
using Xunit;

namespace Postern.Protocol.Tests.Imap;

/// <summary>Issue 9 point 7: NOOP, CHECK and CAPABILITY without progress are bounded (JunkCommands).</summary>
public sealed class JunkCommandTests
{
    [Fact]
    public void More_than_the_limit_within_the_window_is_refused()
    {
        long now = 0;
        var junk = new JunkCommands(3, TimeSpan.FromSeconds(60), () => now);
        Assert.True(junk.Allow());
        Assert.True(junk.Allow());
        now += 59_000;
        Assert.True(junk.Allow());
        Assert.False(junk.Allow());
    }

    [Fact]
    public void A_poller_that_waits_between_NOOPs_is_never_refused()
    {
        // One NOOP every 30 s for a day: 2,880 NOOPs and nothing else, as a client without IDLE on a quiet mailbox.
        long now = 0;
        var junk = new JunkCommands(3, TimeSpan.FromSeconds(60), () => now);
        for (int i = 0; i < 2880; i++)
        {
            Assert.True(junk.Allow(), $"NOOP {i}");
            now += 30_000;
        }
    }

    [Fact]
    public void Real_work_starts_the_count_again()
    {
        var junk = new JunkCommands(2, TimeSpan.FromHours(1), () => 0);
        for (int i = 0; i < 100; i++)
        {
            Assert.True(junk.Allow());
            Assert.True(junk.Allow());
            junk.Progress();
        }

        Assert.True(junk.Allow());
        Assert.True(junk.Allow());
        Assert.False(junk.Allow());
    }

    [Theory]
    [InlineData("NOOP", true)]
    [InlineData("CHECK", true)]
    [InlineData("CAPABILITY", true)]
    [InlineData("IDLE", false)]
    [InlineData("UID FETCH", false)]
    [InlineData("LOGOUT", false)]
    public void Which_commands_are_junk(string name, bool expected) => Assert.Equal(expected, JunkCommands.IsJunk(name));

    [Fact]
    public async Task Pipelined_NOOPs_past_the_limit_get_BYE_and_the_rest_is_not_run()
    {
        await using var f = await ImapFixture.LoggedInAsync(new ImapOptions { MaxJunkCommands = 5 });
        var batch = new StringBuilder();
        for (int i = 0; i < 50; i++)
        {
            batch.Append(i % 3 == 0 ? $"n{i} CAPABILITY\r\n" : $"n{i} NOOP\r\n");
        }

        await f.Client.SendAsync(batch.ToString());
        var lines = new List<string>();
        while (await f.Client.ReadLineAsync() is { } line)
        {
            lines.Add(line);
        }

        Assert.Equal(["n0", "n1", "n2", "n3", "n4"], lines.Where(l => l.StartsWith('n')).Select(l => l.Split(' ')[0]));
        Assert.Equal("* BYE Too many NOOP, CHECK or CAPABILITY commands without progress", lines[^1]);
        Assert.True(await f.Client.IsClosedAsync());
    }

    [Fact]
    public async Task Other_commands_between_NOOPs_keep_the_session_open()
    {
        await using var f = await ImapFixture.LoggedInAsync(new ImapOptions { MaxJunkCommands = 2 });
        for (int i = 0; i < 20; i++)
        {
            Assert.Equal($"a{i} OK NOOP completed", (await f.CommandAsync($"a{i}", "NOOP"))[^1]);
            Assert.Equal($"b{i} OK NOOP completed", (await f.CommandAsync($"b{i}", "NOOP"))[^1]);
            Assert.StartsWith($"c{i} OK", (await f.CommandAsync($"c{i}", "STATUS INBOX (MESSAGES)"))[^1]);
        }
    }
}
