using System.Text.RegularExpressions;
using Postern.Pop3;
using Xunit;

namespace Postern.Protocol.Tests.Pop3;

public sealed class TransactionTests
{
    private const string Plain = "From: bob@example.net\r\nTo: alice@example.org\r\nSubject: plain\r\n\r\nHello Alice.\r\n";

    private const string Dotted =
        "From: bob@example.net\r\nSubject: dots\r\n\r\n" +
        ".leading dot\r\n" +
        "..two dots\r\n" +
        "middle . dot\r\n" +
        ".\r\n" +
        "after a lone dot\r\n";

    private const string Long =
        "Subject: lines\r\nX-Two: b\r\n\r\nline 1\r\n.line 2\r\nline 3\r\nline 4\r\nline 5\r\n";

    private static async Task<Pop3Test> LoggedInAsync(Pop3World world, Pop3Options? options = null)
    {
        var t = await Pop3Test.StartAsync(world, options: options);
        Assert.StartsWith("+OK Logged in", await t.LoginAsync());
        return t;
    }

    private static async Task<Pop3World> WorldWithAsync(params string[] messages)
    {
        var world = await Pop3World.CreateAsync();
        foreach (var m in messages)
        {
            await world.AddAsync(m);
        }

        return world;
    }

    [Fact]
    public async Task Stat_and_list_report_stored_sizes()
    {
        await using var t = await LoggedInAsync(await WorldWithAsync(Plain, Dotted));
        Assert.Equal($"+OK 2 {Plain.Length + Dotted.Length}", await t.CommandAsync("STAT"));
        Assert.StartsWith("+OK 2 messages", await t.CommandAsync("LIST"));
        Assert.Equal([$"1 {Plain.Length}", $"2 {Dotted.Length}"], await t.ReadMultiLineAsync());
        Assert.Equal($"+OK 2 {Dotted.Length}", await t.CommandAsync("LIST 2"));
    }

    [Fact]
    public async Task Uidl_is_unique_printable_and_stable_across_sessions()
    {
        var world = await WorldWithAsync(Plain, Dotted, Long);
        List<string> first;
        await using (var t = await LoggedInAsync(world))
        {
            Assert.StartsWith("+OK", await t.CommandAsync("UIDL"));
            first = await t.ReadMultiLineAsync();
            Assert.Equal(3, first.Count);
            Assert.All(first, l => Assert.Matches(new Regex("^[1-3] [\\x21-\\x7E]{1,70}$"), l));
            Assert.Equal(3, first.Select(l => l.Split(' ')[1]).Distinct().Count());
            Assert.StartsWith("+OK", await t.CommandAsync("DELE 1"));
            await t.QuitAsync();
        }

        await using var again = await LoggedInAsync(world);
        Assert.StartsWith("+OK", await again.CommandAsync("UIDL"));
        var second = await again.ReadMultiLineAsync();
        // Message 2 became message 1, but kept its id.
        Assert.Equal([.. first.Skip(1).Select(l => l.Split(' ')[1])], second.Select(l => l.Split(' ')[1]));
        Assert.Equal("+OK 1 " + first[1].Split(' ')[1], await again.CommandAsync("UIDL 1"));
    }

    [Fact]
    public async Task Retr_is_byte_exact_and_dot_stuffed()
    {
        await using var t = await LoggedInAsync(await WorldWithAsync(Plain, Dotted));
        Assert.Equal($"+OK {Dotted.Length} octets", await t.CommandAsync("RETR 2"));
        var raw = await t.ReadMultiLineAsync();
        // On the wire every line starting with "." carries one more.
        Assert.Equal("..leading dot", raw[3]);
        Assert.Equal("...two dots", raw[4]);
        Assert.Equal("middle . dot", raw[5]);
        Assert.Equal("..", raw[6]);

        Assert.StartsWith("+OK", await t.CommandAsync("RETR 2"));
        Assert.Equal(Dotted, await t.ReadBodyAsync());
        Assert.StartsWith("+OK", await t.CommandAsync("RETR 1"));
        Assert.Equal(Plain, await t.ReadBodyAsync());
    }

    [Fact]
    public async Task Retr_ends_a_body_without_final_crlf_before_the_terminator()
    {
        await using var t = await LoggedInAsync(await WorldWithAsync("Subject: x\r\n\r\nno newline at the end"));
        Assert.StartsWith("+OK", await t.CommandAsync("RETR 1"));
        Assert.Equal("Subject: x\r\n\r\nno newline at the end\r\n", await t.ReadBodyAsync());
        Assert.Equal("+OK", await t.CommandAsync("NOOP"));
    }

    [Fact]
    public async Task Retr_streams_a_large_message_exactly()
    {
        // Larger than every internal buffer, with dots at many chunk boundaries.
        var sb = new System.Text.StringBuilder("Subject: big\r\n\r\n");
        for (int i = 0; sb.Length < 300_000; i++)
        {
            sb.Append(i % 3 == 0 ? "." : "").Append(new string('a', i % 97)).Append("\r\n");
        }

        var big = sb.ToString();
        await using var t = await LoggedInAsync(await WorldWithAsync(big));
        Assert.Equal($"+OK {big.Length} octets", await t.CommandAsync("RETR 1"));
        Assert.Equal(big, await t.ReadBodyAsync());
        Assert.Equal("+OK", await t.CommandAsync("NOOP"));
    }

    [Fact]
    public async Task Top_sends_headers_blank_line_and_n_body_lines()
    {
        await using var t = await LoggedInAsync(await WorldWithAsync(Long));
        Assert.StartsWith("+OK", await t.CommandAsync("TOP 1 2"));
        Assert.Equal(["Subject: lines", "X-Two: b", "", "line 1", "..line 2"], await t.ReadMultiLineAsync());

        Assert.StartsWith("+OK", await t.CommandAsync("TOP 1 0"));
        Assert.Equal(["Subject: lines", "X-Two: b", ""], await t.ReadMultiLineAsync());

        Assert.StartsWith("+OK", await t.CommandAsync("TOP 1 1000"));
        Assert.Equal(Long, await t.ReadBodyAsync());
    }

    [Fact]
    public async Task Deleted_messages_are_hidden_and_refused()
    {
        await using var t = await LoggedInAsync(await WorldWithAsync(Plain, Dotted));
        Assert.Equal("+OK message 1 deleted", await t.CommandAsync("DELE 1"));
        Assert.Equal($"+OK 1 {Dotted.Length}", await t.CommandAsync("STAT"));
        Assert.StartsWith("+OK", await t.CommandAsync("LIST"));
        Assert.Equal([$"2 {Dotted.Length}"], await t.ReadMultiLineAsync());
        Assert.StartsWith("+OK", await t.CommandAsync("UIDL"));
        Assert.Single(await t.ReadMultiLineAsync());
        Assert.Equal("-ERR message 1 already deleted", await t.CommandAsync("RETR 1"));
        Assert.Equal("-ERR message 1 already deleted", await t.CommandAsync("TOP 1 0"));
        Assert.Equal("-ERR message 1 already deleted", await t.CommandAsync("LIST 1"));
        Assert.Equal("-ERR message 1 already deleted", await t.CommandAsync("UIDL 1"));
        Assert.Equal("-ERR message 1 already deleted", await t.CommandAsync("DELE 1"));
    }

    [Fact]
    public async Task Rset_undeletes()
    {
        var world = await WorldWithAsync(Plain, Dotted);
        await using var t = await LoggedInAsync(world);
        await t.CommandAsync("DELE 1");
        await t.CommandAsync("DELE 2");
        Assert.Equal("+OK 0 0", await t.CommandAsync("STAT"));
        Assert.StartsWith("+OK maildrop has 2 messages", await t.CommandAsync("RSET"));
        Assert.Equal($"+OK 2 {Plain.Length + Dotted.Length}", await t.CommandAsync("STAT"));
        await t.QuitAsync("+OK");
        Assert.Equal(2, (await world.UidsAsync()).Count);
    }

    [Theory]
    [InlineData("LIST 0", "-ERR No such message")]
    [InlineData("LIST 3", "-ERR No such message")]
    [InlineData("LIST -1", "-ERR Invalid message number")]
    [InlineData("LIST +1", "-ERR Invalid message number")]
    [InlineData("LIST 1x", "-ERR Invalid message number")]
    [InlineData("LIST 99999999999", "-ERR No such message")]
    [InlineData("LIST 4294967297", "-ERR No such message")]
    [InlineData("LIST 1 2", "-ERR Syntax error in arguments")]
    [InlineData("UIDL 0", "-ERR No such message")]
    [InlineData("RETR 0", "-ERR No such message")]
    [InlineData("RETR -1", "-ERR Invalid message number")]
    [InlineData("RETR 99999999999", "-ERR No such message")]
    [InlineData("RETR", "-ERR Syntax error in arguments")]
    [InlineData("DELE 0", "-ERR No such message")]
    [InlineData("DELE 99999999999", "-ERR No such message")]
    [InlineData("TOP 1", "-ERR Syntax error in arguments")]
    [InlineData("TOP 0 1", "-ERR No such message")]
    [InlineData("TOP 1 -1", "-ERR Invalid line count")]
    [InlineData("TOP 1 99999999999", "-ERR Invalid line count")]
    [InlineData("STAT 1", "-ERR Syntax error in arguments")]
    public async Task Bad_numbers_are_refused_and_the_session_survives(string command, string expected)
    {
        await using var t = await LoggedInAsync(await WorldWithAsync(Plain, Dotted));
        Assert.Equal(expected, await t.CommandAsync(command));
        Assert.Equal($"+OK 1 {Plain.Length}", await t.CommandAsync("LIST 1"));
    }

    [Fact]
    public async Task Pipelined_commands_are_answered_in_order()
    {
        await using var t = await LoggedInAsync(await WorldWithAsync(Plain));
        await t.Client.SendAsync("STAT\r\nLIST 1\r\nNOOP\r\nUIDL 1\r\n");
        Assert.Equal($"+OK 1 {Plain.Length}", await t.ReadLineAsync());
        Assert.Equal($"+OK 1 {Plain.Length}", await t.ReadLineAsync());
        Assert.Equal("+OK", await t.ReadLineAsync());
        Assert.Equal("+OK 1 1.1", await t.ReadLineAsync());
    }

    [Fact]
    public async Task Message_removed_by_another_protocol_is_reported_not_sent()
    {
        var world = await WorldWithAsync(Plain);
        await using var t = await LoggedInAsync(world);
        var uid = (await world.UidsAsync())[0];
        await world.Store.SetFlagsAsync(world.InboxId, [uid], Storage.MessageFlags.Deleted, Storage.FlagChange.Add);
        await world.Store.ExpungeAsync(world.InboxId, [uid]);
        Assert.Equal("-ERR message 1 is no longer available", await t.CommandAsync("RETR 1"));
        Assert.Equal("+OK", await t.CommandAsync("NOOP"));
    }
}
