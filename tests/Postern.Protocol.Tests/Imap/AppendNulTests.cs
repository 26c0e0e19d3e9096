using Xunit;

namespace Postern.Protocol.Tests.Imap;

/// <summary>
/// Issue 9 point 7: a NUL octet in an APPEND literal is refused with NO (RFC 3501 / RFC 9051
/// CHAR8 excludes it) after the whole literal is read; a literal8 (RFC 3516 ~{n}) may carry it.
/// </summary>
public sealed class AppendNulTests
{
    private const string WithNul = "Subject: nul\r\n\r\nbefore\0after\r\n";

    private const string Refusal = " NO Message contains a NUL octet; send it as a literal8 (~{n}, BINARY)";

    private static async Task AssertInboxEmptyAndSessionAliveAsync(ImapFixture f)
    {
        Assert.Empty(await f.Store.ListMessagesAsync(f.Inbox.Id));
        Assert.Equal(["z OK NOOP completed"], await f.CommandAsync("z", "NOOP"));
    }

    [Fact]
    public async Task A_NUL_in_a_synchronising_literal_is_read_to_the_end_and_refused()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        await f.Client.SendLineAsync($"a APPEND INBOX {{{WithNul.Length}}}");
        Assert.Equal("+ Ready for literal data", await f.Client.ReadLineAsync());
        await f.Client.SendAsync(WithNul + "\r\n");
        Assert.Equal(["a" + Refusal], await f.Client.ReadUntilAsync("a "));
        await AssertInboxEmptyAndSessionAliveAsync(f);
    }

    [Fact]
    public async Task A_NUL_in_a_non_synchronising_literal_is_refused_and_nothing_after_it_runs_as_a_command()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        // The literal's last line looks like a command: it must be read as message data, not run.
        string message = WithNul + "x LOGOUT\r\n";
        await f.Client.SendAsync($"a APPEND INBOX {{{message.Length}+}}\r\n{message}\r\n");
        Assert.Equal(["a" + Refusal], await f.Client.ReadUntilAsync("a "));
        await AssertInboxEmptyAndSessionAliveAsync(f);
    }

    [Fact]
    public async Task A_literal8_may_carry_NUL_and_is_stored_as_sent()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        await f.Client.SendAsync($"a APPEND INBOX ~{{{WithNul.Length}+}}\r\n{WithNul}\r\n");
        Assert.StartsWith("a OK [APPENDUID ", (await f.Client.ReadUntilAsync("a "))[^1]);
        using var body = (await f.Store.OpenMessageAsync(f.Inbox.Id, 1))!;
        Assert.Equal(WithNul, await new StreamReader(body).ReadToEndAsync());
    }

    [Fact]
    public async Task In_a_MULTIAPPEND_one_plain_literal_with_NUL_refuses_them_all()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        // First a literal8 with NUL (fine), then a plain literal with NUL: no message is stored.
        await f.Client.SendAsync($"a APPEND INBOX ~{{{WithNul.Length}+}}\r\n{WithNul} {{{WithNul.Length}+}}\r\n{WithNul}\r\n");
        Assert.Equal(["a" + Refusal], await f.Client.ReadUntilAsync("a "));
        await AssertInboxEmptyAndSessionAliveAsync(f);
    }

    [Fact]
    public async Task The_UTF8_data_item_is_a_literal8_and_may_carry_NUL()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        Assert.StartsWith("e OK", (await f.CommandAsync("e", "ENABLE UTF8=ACCEPT"))[^1]);
        await f.Client.SendAsync($"a APPEND INBOX UTF8 (~{{{WithNul.Length}+}}\r\n{WithNul})\r\n");
        Assert.StartsWith("a OK [APPENDUID ", (await f.Client.ReadUntilAsync("a "))[^1]);
        Assert.Single(await f.Store.ListMessagesAsync(f.Inbox.Id));
    }
}
