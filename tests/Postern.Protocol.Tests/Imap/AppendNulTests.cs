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

    /// <summary>
    /// A literal8 may carry NUL; the part holding it is stored base64-encoded (RFC 3516 4.4, 6: BODY
    /// literals cannot carry NUL, see BinaryTests), and BINARY[1] gives back the octets as sent.
    /// </summary>
    [Fact]
    public async Task A_literal8_may_carry_NUL_and_binary_returns_it_as_sent()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        await f.Client.SendAsync($"a APPEND INBOX ~{{{WithNul.Length}+}}\r\n{WithNul}\r\n");
        Assert.StartsWith("a OK [APPENDUID ", (await f.Client.ReadUntilAsync("a "))[^1]);
        using (var body = (await f.Store.OpenMessageAsync(f.Inbox.Id, 1))!)
        {
            Assert.Equal("Subject: nul\r\nContent-Transfer-Encoding: base64\r\n\r\n" + Convert.ToBase64String("before\0after\r\n"u8), await new StreamReader(body).ReadToEndAsync());
        }

        await f.CommandAsync("s", "EXAMINE INBOX");
        await f.Client.SendLineAsync("b FETCH 1 BINARY.PEEK[1]");
        Assert.Equal("* 1 FETCH (BINARY[1] ~{14}", await f.Client.ReadLineAsync());
        Assert.Equal("before\0after\r\n"u8.ToArray(), await f.Client.ReadBytesAsync(14));
        Assert.Equal([")", "b OK FETCH completed"], await f.Client.ReadUntilAsync("b "));
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
