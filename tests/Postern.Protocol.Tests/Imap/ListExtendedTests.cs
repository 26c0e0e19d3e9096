using Xunit;

namespace Postern.Protocol.Tests.Imap;

/// <summary>LIST-EXTENDED (RFC 5258), LIST-STATUS (RFC 5819), SPECIAL-USE selection and CREATE-SPECIAL-USE (RFC 6154), STATUS DELETED (RFC 9051).</summary>
public class ListExtendedTests
{
    [Fact]
    public async Task Capabilities_name_the_mailbox_extensions()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        var caps = (await f.CommandAsync("a", "CAPABILITY"))[0].Split(' ');
        foreach (var c in new[] { "LIST-EXTENDED", "LIST-STATUS", "CREATE-SPECIAL-USE", "UTF8=ACCEPT", "MULTIAPPEND", "BINARY", "LITERAL+" })
        {
            Assert.Contains(c, caps);
        }

        Assert.DoesNotContain("LITERAL-", caps);
    }

    [Fact]
    public async Task Subscribed_selection_lists_only_subscribed_with_the_attribute()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        Assert.Equal(["u OK UNSUBSCRIBE completed"], await f.CommandAsync("u", "UNSUBSCRIBE Junk"));
        var lines = await f.CommandAsync("a", "LIST (SUBSCRIBED) \"\" *");
        Assert.Equal(
        [
            "* LIST (\\HasNoChildren \\Subscribed) \"/\" INBOX",
            "* LIST (\\HasNoChildren \\Subscribed \\Archive) \"/\" Archive",
            "* LIST (\\HasNoChildren \\Subscribed \\Drafts) \"/\" Drafts",
            "* LIST (\\HasNoChildren \\Subscribed \\Sent) \"/\" Sent",
            "* LIST (\\HasNoChildren \\Subscribed \\Trash) \"/\" Trash",
            "a OK LIST completed",
        ], lines);

        // RETURN (SUBSCRIBED) marks without filtering.
        var all = await f.CommandAsync("b", "LIST \"\" (INBOX Junk) RETURN (SUBSCRIBED CHILDREN)");
        Assert.Equal(
        [
            "* LIST (\\HasNoChildren \\Subscribed) \"/\" INBOX",
            "* LIST (\\HasNoChildren \\Junk) \"/\" Junk",
            "b OK LIST completed",
        ], all);
    }

    [Fact]
    public async Task Recursivematch_reports_childinfo_for_a_parent_with_subscribed_children()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        Assert.Equal(["c OK CREATE completed"], await f.CommandAsync("c", "CREATE Projects/Alpha"));
        Assert.Equal(["u OK SUBSCRIBE completed"], await f.CommandAsync("u", "SUBSCRIBE Projects/Alpha"));
        var lines = await f.CommandAsync("a", "LIST (SUBSCRIBED RECURSIVEMATCH) \"\" Pro%");
        Assert.Equal(
        [
            "* LIST (\\HasChildren) \"/\" Projects (\"CHILDINFO\" (\"SUBSCRIBED\"))",
            "a OK LIST completed",
        ], lines);

        // Without RECURSIVEMATCH the unsubscribed parent is not listed.
        Assert.Equal(["b OK LIST completed"], await f.CommandAsync("b", "LIST (SUBSCRIBED) \"\" Pro%"));
        Assert.Equal("c BAD RECURSIVEMATCH needs another selection option", (await f.CommandAsync("c", "LIST (RECURSIVEMATCH) \"\" *"))[^1]);
        Assert.Equal("d BAD Unknown LIST selection option", (await f.CommandAsync("d", "LIST (BOGUS) \"\" *"))[^1]);
        Assert.Equal("e BAD Unknown LIST return option", (await f.CommandAsync("e", "LIST \"\" * RETURN (BOGUS)"))[^1]);
    }

    [Fact]
    public async Task Special_use_selection_and_list_status()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        await f.AppendAsync(ImapFixture.Simple, Postern.Storage.MessageFlags.Deleted);
        await f.AppendAsync(ImapFixture.Simple, Postern.Storage.MessageFlags.Seen);
        var special = await f.CommandAsync("a", "LIST (SPECIAL-USE) \"\" * RETURN (SPECIAL-USE)");
        Assert.Equal(6, special.Count);
        Assert.DoesNotContain(special, l => l.EndsWith(" INBOX", StringComparison.Ordinal));

        var status = await f.CommandAsync("b", "LIST \"\" (INBOX Sent) RETURN (STATUS (MESSAGES UNSEEN DELETED SIZE))");
        long size = System.Text.Encoding.UTF8.GetByteCount(ImapFixture.Simple) * 2;
        Assert.Equal(
        [
            "* LIST (\\HasNoChildren) \"/\" INBOX",
            $"* STATUS INBOX (MESSAGES 2 UNSEEN 1 DELETED 1 SIZE {size})",
            "* LIST (\\HasNoChildren \\Sent) \"/\" Sent",
            "* STATUS Sent (MESSAGES 0 UNSEEN 0 DELETED 0 SIZE 0)",
            "b OK LIST completed",
        ], status);
        Assert.Equal("c BAD Unknown status item", (await f.CommandAsync("c", "LIST \"\" * RETURN (STATUS (BOGUS))"))[^1]);
    }

    [Fact]
    public async Task Status_reports_deleted()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        await f.AppendAsync(ImapFixture.Simple, Postern.Storage.MessageFlags.Deleted);
        await f.AppendAsync(ImapFixture.Simple);
        Assert.Equal(["* STATUS INBOX (DELETED 1 MESSAGES 2)", "a OK STATUS completed"], await f.CommandAsync("a", "STATUS INBOX (DELETED MESSAGES)"));
    }

    [Fact]
    public async Task Create_special_use_stores_the_attribute_or_refuses_with_useattr()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        Assert.Equal(["a OK CREATE completed"], await f.CommandAsync("a", "CREATE \"Sent Items\" (USE (\\Sent))"));
        Assert.Equal(["* LIST (\\HasNoChildren \\Sent) \"/\" \"Sent Items\"", "b OK LIST completed"], await f.CommandAsync("b", "LIST \"\" \"Sent Items\""));
        Assert.Equal("\\Sent", (await f.Store.GetMailboxAsync(f.Alice.Id, "Sent Items"))!.SpecialUse);

        Assert.Equal(["c NO [USEATTR] Special-use attribute not supported"], await f.CommandAsync("c", "CREATE Everything (USE (\\All))"));
        Assert.Equal(["d NO [USEATTR] Special-use attribute not supported"], await f.CommandAsync("d", "CREATE Odd (USE (\\Bogus))"));
        Assert.Equal(["e NO [USEATTR] Only one special-use attribute per mailbox"], await f.CommandAsync("e", "CREATE Two (USE (\\Sent \\Trash))"));
        Assert.Equal(["g BAD Unknown CREATE parameter"], await f.CommandAsync("g", "CREATE Other (FOO)"));
        Assert.Null(await f.Store.GetMailboxAsync(f.Alice.Id, "Everything"));
        Assert.Null(await f.Store.GetMailboxAsync(f.Alice.Id, "Two"));
        Assert.Equal(["h OK CREATE completed"], await f.CommandAsync("h", "CREATE Plain (USE ())"));
    }

    [Fact]
    public async Task Delete_of_a_parent_says_haschildren()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        await f.CommandAsync("c", "CREATE Projects/Alpha");
        Assert.Equal(["d NO [HASCHILDREN] Delete the child mailboxes first"], await f.CommandAsync("d", "DELETE Projects"));
        Assert.Equal(["e OK DELETE completed"], await f.CommandAsync("e", "DELETE Projects/Alpha"));
        Assert.Equal(["g OK DELETE completed"], await f.CommandAsync("g", "DELETE Projects"));
    }
    /// <summary>
    /// imaptest listext on the wire: the SUBSCRIBED selection shows a deleted but subscribed name
    /// as \NonExistent (RFC 5258 3.1, example 2), CREATE subscribes nothing, RETURN (CHILDREN
    /// SUBSCRIBED) marks without filtering, and RECURSIVEMATCH gives a parent CHILDINFO only when a
    /// subscribed descendant is not listed itself (RFC 5258 3.3 rule 2B, 3.5).
    /// </summary>
    [Fact]
    public async Task Subscribed_selection_and_recursivematch_as_rfc_5258_describes()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        foreach (var name in new[] { "t/", "t/test1", "t/test2/", "t/test2/test1", "t/test3", "t/test4/test5", "t/test6", "t/test7/test7", "t/test8/test8", "t/test8/test9" })
        {
            Assert.Equal(["c OK CREATE completed"], await f.CommandAsync("c", "CREATE " + name));
        }

        foreach (var name in new[] { "t/test1", "t/test2/test1", "t/test6", "t/test7/test7", "t/test8/test8", "t/test8/test9" })
        {
            Assert.Equal(["s OK SUBSCRIBE completed"], await f.CommandAsync("s", "SUBSCRIBE " + name));
        }

        Assert.Equal(["d OK DELETE completed"], await f.CommandAsync("d", "DELETE t/test6"));

        Assert.Equal(
        [
            "* LIST (\\HasNoChildren \\Subscribed) \"/\" t/test1",
            "* LIST (\\HasNoChildren \\Subscribed) \"/\" t/test2/test1",
            "* LIST (\\HasNoChildren \\Subscribed \\NonExistent) \"/\" t/test6",
            "* LIST (\\HasNoChildren \\Subscribed) \"/\" t/test7/test7",
            "* LIST (\\HasNoChildren \\Subscribed) \"/\" t/test8/test8",
            "* LIST (\\HasNoChildren \\Subscribed) \"/\" t/test8/test9",
            "a OK LIST completed",
        ], await f.CommandAsync("a", "LIST (SUBSCRIBED) \"\" t/*"));

        Assert.Equal(
            ["* LIST (\\HasChildren) \"/\" t/test2 (\"CHILDINFO\" (\"SUBSCRIBED\"))", "b OK LIST completed"],
            await f.CommandAsync("b", "LIST (SUBSCRIBED RECURSIVEMATCH) \"\" t/test2% RETURN (CHILDREN)"));

        Assert.Equal(
        [
            "* LIST (\\HasNoChildren \\Subscribed) \"/\" t/test1",
            "* LIST (\\HasChildren) \"/\" t/test2",
            "* LIST (\\HasNoChildren) \"/\" t/test3",
            "* LIST (\\HasChildren) \"/\" t/test4",
            "* LIST (\\HasChildren) \"/\" t/test7",
            "* LIST (\\HasChildren) \"/\" t/test8",
            "e OK LIST completed",
        ], await f.CommandAsync("e", "LIST \"\" t/% RETURN (CHILDREN SUBSCRIBED)"));

        // A descendant listed itself makes the parent's CHILDINFO redundant (RFC 5258 3.5: SHOULD suppress).
        Assert.Equal(["* LIST (\\HasNoChildren \\Subscribed) \"/\" t/test7/test7", "g OK LIST completed"],
            await f.CommandAsync("g", "LIST (SUBSCRIBED RECURSIVEMATCH) \"\" t*test7"));
        Assert.Equal(["* LIST (\\HasNoChildren \\Subscribed) \"/\" t/test2/test1", "h OK LIST completed"],
            await f.CommandAsync("h", "LIST (SUBSCRIBED RECURSIVEMATCH) \"\" (t/test2 t/test2/test1)"));
        Assert.Equal(
        [
            "* LIST (\\HasChildren) \"/\" t/test8 (\"CHILDINFO\" (\"SUBSCRIBED\"))",
            "* LIST (\\HasNoChildren \\Subscribed) \"/\" t/test8/test8",
            "i OK LIST completed",
        ], await f.CommandAsync("i", "LIST (SUBSCRIBED RECURSIVEMATCH) \"\" t*test8"));

        // A plain LIST shows no deleted name, subscribed or not; UNSUBSCRIBE still removes it.
        Assert.DoesNotContain(await f.CommandAsync("j", "LIST \"\" t/*"), l => l.Contains("test6", StringComparison.Ordinal));
        Assert.Equal(["k OK UNSUBSCRIBE completed"], await f.CommandAsync("k", "UNSUBSCRIBE t/test6"));
        Assert.Equal(["l OK LIST completed"], await f.CommandAsync("l", "LIST (SUBSCRIBED) \"\" t/test6"));
    }
}
