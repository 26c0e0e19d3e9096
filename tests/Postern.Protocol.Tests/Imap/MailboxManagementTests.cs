using Postern.Imap.Parsing;
using Xunit;

namespace Postern.Protocol.Tests.Imap;

/// <summary>CREATE, DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE and modified UTF-7 names.</summary>
public class MailboxManagementTests
{
    [Fact]
    public async Task Create_makes_parents_and_list_shows_children()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        Assert.Equal(["a OK CREATE completed"], await f.CommandAsync("a", "CREATE Projects/2026"));
        var list = await f.CommandAsync("b", "LIST \"\" Projects*");
        Assert.Equal(
            ["* LIST (\\HasChildren) \"/\" Projects", "* LIST (\\HasNoChildren) \"/\" Projects/2026", "b OK LIST completed"],
            list);
        Assert.Equal(["c NO [ALREADYEXISTS] Mailbox already exists"], await f.CommandAsync("c", "CREATE Projects"));
        Assert.Equal(["d NO [ALREADYEXISTS] INBOX always exists"], await f.CommandAsync("d", "CREATE inbox"));
        Assert.Equal(["e OK CREATE completed"], await f.CommandAsync("e", "CREATE Lists/"));
        Assert.NotNull(await f.Store.GetMailboxAsync(f.Alice.Id, "Lists"));
        Assert.StartsWith("f NO [CANNOT]", (await f.CommandAsync("f", "CREATE \"a/../b\""))[^1]);
    }

    [Fact]
    public async Task Delete_refuses_inbox_children_and_missing()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        await f.CommandAsync("a", "CREATE Old/Sub");
        Assert.StartsWith("b NO [CANNOT]", (await f.CommandAsync("b", "DELETE INBOX"))[^1]);
        Assert.StartsWith("c NO [HASCHILDREN]", (await f.CommandAsync("c", "DELETE Old"))[^1]);
        Assert.Equal(["d OK DELETE completed"], await f.CommandAsync("d", "DELETE Old/Sub"));
        Assert.Equal(["e OK DELETE completed"], await f.CommandAsync("e", "DELETE Old"));
        Assert.Equal(["f NO [NONEXISTENT] No such mailbox"], await f.CommandAsync("f", "DELETE Old"));
        Assert.Null(await f.Store.GetMailboxAsync(f.Alice.Id, "Old"));
    }

    [Fact]
    public async Task Rename_moves_children_and_keeps_uidvalidity()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        await f.CommandAsync("a", "CREATE Work/Reports");
        var before = (await f.Store.GetMailboxAsync(f.Alice.Id, "Work"))!;
        Assert.Equal(["b OK RENAME completed"], await f.CommandAsync("b", "RENAME Work Job"));
        var after = (await f.Store.GetMailboxAsync(f.Alice.Id, "Job"))!;
        Assert.Equal(before.UidValidity, after.UidValidity);
        Assert.NotNull(await f.Store.GetMailboxAsync(f.Alice.Id, "Job/Reports"));
        Assert.Null(await f.Store.GetMailboxAsync(f.Alice.Id, "Work"));
        Assert.Equal(["c NO [NONEXISTENT] No such mailbox"], await f.CommandAsync("c", "RENAME Work Other"));
        Assert.Equal(["d NO [ALREADYEXISTS] Mailbox already exists"], await f.CommandAsync("d", "RENAME Job Sent"));
    }

    [Fact]
    public async Task Rename_inbox_moves_its_messages()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        await f.AppendAsync(ImapFixture.Simple);
        Assert.Equal(["a OK RENAME completed"], await f.CommandAsync("a", "RENAME INBOX Saved"));
        Assert.Empty(await f.Store.ListMessagesAsync(f.Inbox.Id));
        var saved = (await f.Store.GetMailboxAsync(f.Alice.Id, "Saved"))!;
        Assert.Equal(1, saved.MessageCount);
    }

    [Fact]
    public async Task Lsub_honours_subscriptions()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        Assert.Equal(["a OK UNSUBSCRIBE completed"], await f.CommandAsync("a", "UNSUBSCRIBE Junk"));
        var lsub = await f.CommandAsync("b", "LSUB \"\" *");
        Assert.DoesNotContain(lsub, l => l.EndsWith(" Junk", StringComparison.Ordinal));
        Assert.Contains(lsub, l => l.EndsWith(" Sent", StringComparison.Ordinal));
        Assert.Equal(["c OK SUBSCRIBE completed"], await f.CommandAsync("c", "SUBSCRIBE Junk"));
        Assert.Contains(await f.CommandAsync("d", "LSUB \"\" Junk"), l => l == "* LSUB (\\Junk) \"/\" Junk");
        Assert.Equal(["e NO [NONEXISTENT] No such mailbox"], await f.CommandAsync("e", "SUBSCRIBE Nope"));
    }

    /// <summary>
    /// imaptest subscribe on the wire: CREATE subscribes nothing; LSUB with "%" shows an unsubscribed
    /// parent of a subscribed name as \Noselect instead of the name (RFC 3501 6.3.9); LSUB carries
    /// no CHILDREN attributes (they describe mailboxes, LSUB lists names); a subscription outlives
    /// DELETE (RFC 3501 6.3.6).
    /// </summary>
    [Fact]
    public async Task Lsub_shows_unsubscribed_parents_as_noselect()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        foreach (var name in new[] { "t/", "t/test", "t/test2/", "t/test3/", "t/test2/test", "t/test3/test3", "t/test2" })
        {
            await f.CommandAsync("c", "CREATE " + name);
        }

        Assert.Equal(["a OK LSUB completed"], await f.CommandAsync("a", "LSUB \"\" t/*"));
        foreach (var name in new[] { "t/test", "t/test2/test", "t/test3/test3" })
        {
            Assert.Equal(["s OK SUBSCRIBE completed"], await f.CommandAsync("s", "SUBSCRIBE " + name));
        }

        Assert.Equal(
            ["* LSUB () \"/\" t/test", "* LSUB (\\Noselect) \"/\" t/test2", "* LSUB (\\Noselect) \"/\" t/test3", "b OK LSUB completed"],
            await f.CommandAsync("b", "LSUB \"\" t/%"));
        Assert.Equal(["* LSUB () \"/\" t/test", "* LSUB () \"/\" t/test2/test", "d OK LSUB completed"], await f.CommandAsync("d", "LSUB \"\" *test"));

        Assert.Equal(["e OK DELETE completed"], await f.CommandAsync("e", "DELETE t/test"));
        Assert.Contains("* LSUB () \"/\" t/test", await f.CommandAsync("g", "LSUB \"\" t/%"));
        foreach (var name in new[] { "t/test", "t/test2/test", "t/test3/test3" })
        {
            Assert.Equal(["u OK UNSUBSCRIBE completed"], await f.CommandAsync("u", "UNSUBSCRIBE " + name));
        }

        Assert.Equal(["h OK LSUB completed"], await f.CommandAsync("h", "LSUB \"\" t/%"));
        Assert.Equal(["i NO [NONEXISTENT] No such mailbox"], await f.CommandAsync("i", "UNSUBSCRIBE t/test"));
    }

    [Fact]
    public async Task Names_are_modified_utf7_on_the_wire()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        // "Entwürfe & Co" (RFC 3501 5.1.3 example style): ü is &APw-, & is &-.
        Assert.Equal(["a OK CREATE completed"], await f.CommandAsync("a", "CREATE \"Entw&APw-rfe &- Co\""));
        Assert.NotNull(await f.Store.GetMailboxAsync(f.Alice.Id, "Entwürfe & Co"));
        var list = await f.CommandAsync("b", "LIST \"\" Entw*");
        Assert.Equal("* LIST (\\HasNoChildren) \"/\" \"Entw&APw-rfe &- Co\"", list[0]);
        var status = await f.CommandAsync("c", "STATUS \"Entw&APw-rfe &- Co\" (MESSAGES)");
        Assert.Equal("* STATUS \"Entw&APw-rfe &- Co\" (MESSAGES 0)", status[0]);
        Assert.StartsWith("d NO [CANNOT]", (await f.CommandAsync("d", "CREATE Bad&Jjo"))[^1]);
        Assert.StartsWith("e NO [CANNOT]", (await f.CommandAsync("e", "CREATE &AGE-"))[^1]);
    }

    [Theory]
    [InlineData("~peter/mail/日本語/台北", "~peter/mail/&ZeVnLIqe-/&U,BTFw-")]
    [InlineData("a&b", "a&-b")]
    [InlineData("plain", "plain")]
    [InlineData("😀", "&2D3eAA-")]
    public void Utf7_round_trips(string name, string wire)
    {
        Assert.Equal(wire, ModifiedUtf7.Encode(name));
        Assert.True(ModifiedUtf7.TryDecode(wire, out string decoded));
        Assert.Equal(name, decoded);
    }

    [Theory]
    [InlineData("&")]
    [InlineData("&Jjo")]
    [InlineData("&Jj!-")]
    [InlineData("&AGE-")]
    [InlineData("&ZeVnLIqe-&U,BTFw-")]
    [InlineData("&2D0-")]
    [InlineData("ü")]
    [InlineData("&ZeV-")]
    public void Malformed_utf7_is_rejected(string wire)
    {
        Assert.False(ModifiedUtf7.TryDecode(wire, out _));
    }
}
