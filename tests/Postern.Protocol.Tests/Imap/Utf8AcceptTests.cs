using System.Text;
using Xunit;

namespace Postern.Protocol.Tests.Imap;

/// <summary>UTF8=ACCEPT (RFC 6855): UTF-8 mailbox names once enabled, modified UTF-7 (RFC 3501 5.1.3) before.</summary>
public class Utf8AcceptTests
{
    [Fact]
    public async Task Enabled_session_uses_utf8_names_and_rev1_session_modified_utf7()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        Assert.Equal(["* ENABLED UTF8=ACCEPT", "e OK ENABLE completed"], await f.CommandAsync("e", "ENABLE UTF8=ACCEPT"));
        Assert.Equal(["a OK CREATE completed"], await f.CommandAsync("a", "CREATE \"Entwürfe/Übersicht\""));
        Assert.NotNull(await f.Store.GetMailboxAsync(f.Alice.Id, "Entwürfe/Übersicht"));

        Assert.Equal(
        [
            "* LIST (\\HasChildren) \"/\" \"Entwürfe\"",
            "* LIST (\\HasNoChildren) \"/\" \"Entwürfe/Übersicht\"",
            "b OK LIST completed",
        ], await f.CommandAsync("b", "LIST \"\" Entw*"));
        Assert.Equal(["* STATUS \"Entwürfe\" (MESSAGES 0)", "c OK STATUS completed"], await f.CommandAsync("c", "STATUS Entwürfe (MESSAGES)"));

        // Once UTF-8 is on, "&" is just a character: no modified UTF-7 decoding.
        Assert.Equal(["d OK CREATE completed"], await f.CommandAsync("d", "CREATE \"R&D\""));
        Assert.NotNull(await f.Store.GetMailboxAsync(f.Alice.Id, "R&D"));

        await using var rev1 = await f.SecondSessionAsync();
        Assert.Equal(
        [
            "* LIST (\\HasChildren) \"/\" Entw&APw-rfe",
            "* LIST (\\HasNoChildren) \"/\" Entw&APw-rfe/&ANw-bersicht",
            "b OK LIST completed",
        ], await rev1.CommandAsync("b", "LIST \"\" Entw*"));
        Assert.Equal(["* LIST (\\HasNoChildren) \"/\" R&-D", "c OK LIST completed"], await rev1.CommandAsync("c", "LIST \"\" R*"));
    }

    [Fact]
    public async Task Rev1_decodes_modified_utf7_and_refuses_malformed_or_8bit_names()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        Assert.Equal(["a OK CREATE completed"], await f.CommandAsync("a", "CREATE Entw&APw-rfe"));
        Assert.NotNull(await f.Store.GetMailboxAsync(f.Alice.Id, "Entwürfe"));
        Assert.Equal(["b NO [CANNOT] Mailbox name is not valid modified UTF-7"], await f.CommandAsync("b", "CREATE &Jjo"));
        Assert.Equal(["c BAD Mailbox name is not valid modified UTF-7"], await f.CommandAsync("c", "CREATE \"Entwürfe2\""));
        Assert.Equal(["d NO [CANNOT] Mailbox name is not valid modified UTF-7"], await f.CommandAsync("d", "SELECT &AGE-"));
    }

    [Fact]
    public async Task Utf8_names_must_be_valid_utf8()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        await f.CommandAsync("e", "ENABLE UTF8=ACCEPT");
        var bytes = Encoding.ASCII.GetBytes("a CREATE \"bad\xff\"\r\n".Replace("\xff", "?")).ToList();
        bytes[^4] = 0xff;
        await f.Client.SendBytesAsync([.. bytes]);
        Assert.Equal(["a BAD Mailbox name is not valid UTF-8"], await f.Client.ReadUntilAsync("a "));
    }

    [Fact]
    public async Task Append_utf8_data_item_needs_utf8_accept()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        string msg = "Subject: Grüße\r\n\r\nHallo\r\n";
        int n = Encoding.UTF8.GetByteCount(msg);

        // Not enabled: refused before "+", so the sync literal is never sent.
        await f.Client.SendLineAsync($"a APPEND INBOX UTF8 (~{{{n}}}");
        Assert.Equal("a BAD UTF8 data item needs ENABLE UTF8=ACCEPT", await f.Client.ReadLineAsync());

        await f.CommandAsync("e", "ENABLE UTF8=ACCEPT");
        await f.Client.SendLineAsync($"b APPEND INBOX (\\Seen) UTF8 (~{{{n}}}");
        Assert.Equal("+ Ready for literal data", await f.Client.ReadLineAsync());
        await f.Client.SendAsync(msg + ")\r\n");
        Assert.Equal([$"b OK [APPENDUID {f.Inbox.UidValidity} 1] APPEND completed"], await f.Client.ReadUntilAsync("b "));
        using var body = (await f.Store.OpenMessageAsync(f.Inbox.Id, 1))!;
        Assert.Equal(msg, await new StreamReader(body).ReadToEndAsync());

        // The ")" that closes UTF8 ( is required.
        await f.Client.SendAsync($"c APPEND INBOX UTF8 (~{{{n}+}}\r\n{msg}\r\n");
        Assert.Equal(["c BAD Expected ')' after the UTF8 message"], await f.Client.ReadUntilAsync("c "));
        Assert.Single(await f.Store.ListMessagesAsync(f.Inbox.Id));
    }
}
