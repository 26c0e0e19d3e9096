using Postern.Imap;
using Postern.Storage;
using Xunit;

namespace Postern.Protocol.Tests.Imap;

public class MailboxTests
{
    [Fact]
    public async Task List_shows_special_use_and_separator()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        var root = await f.CommandAsync("a", "LIST \"\" \"\"");
        Assert.Equal("* LIST (\\Noselect) \"/\" \"\"", root[0]);

        var all = await f.CommandAsync("b", "LIST \"\" *");
        Assert.Contains("* LIST (\\HasNoChildren) \"/\" INBOX", all);
        Assert.Contains("* LIST (\\HasNoChildren \\Sent) \"/\" Sent", all);
        Assert.Contains("* LIST (\\HasNoChildren \\Trash) \"/\" Trash", all);
        Assert.Contains("* LIST (\\HasNoChildren \\Junk) \"/\" Junk", all);
        Assert.Contains("* LIST (\\HasNoChildren \\Drafts) \"/\" Drafts", all);
        Assert.Contains("* LIST (\\HasNoChildren \\Archive) \"/\" Archive", all);
        Assert.Equal(7, all.Count);

        var some = await f.CommandAsync("c", "LIST \"\" \"inbox\"");
        Assert.Equal(["* LIST (\\HasNoChildren) \"/\" INBOX", "c OK LIST completed"], some);
        var pct = await f.CommandAsync("d", "LIST \"\" %r%");
        Assert.Equal(4, pct.Count); // Trash, Drafts, Archive + OK
        var lsub = await f.CommandAsync("e", "LSUB \"\" *");
        Assert.Equal(7, lsub.Count);
        Assert.StartsWith("* LSUB", lsub[0]);
    }

    /// <summary>
    /// A name made of every ATOM-CHAR, "[" included, is read as one atom: SELECT gets NO (its "&amp;'+,-"
    /// is not valid modified UTF-7, so no mailbox can have that name), LIST with it as a pattern
    /// matches nothing, and the session goes on (imaptest atoms). With "&amp;-" it is a valid name.
    /// </summary>
    [Fact]
    public async Task Atom_with_open_bracket_is_a_mailbox_name()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        const string name = "!#$&'+,-.0123456789:;<=>?@^_`|[}";
        Assert.Equal(["a NO [CANNOT] Mailbox name is not valid modified UTF-7"], await f.CommandAsync("a", "SELECT " + name));
        Assert.Equal(["b OK LIST completed"], await f.CommandAsync("b", "LIST \"\" " + name + "%*"));
        const string valid = "!#$&-'+,-.0123456789:;<=>?@^_`|[}";
        Assert.StartsWith("c NO [NONEXISTENT]", (await f.CommandAsync("c", "SELECT " + valid))[^1]);
        Assert.Equal(["d OK CREATE completed"], await f.CommandAsync("d", "CREATE " + valid));
        Assert.Equal(["* LIST (\\HasNoChildren) \"/\" " + valid, "e OK LIST completed"], await f.CommandAsync("e", "LIST \"\" " + valid + "%*"));
        Assert.NotNull(await f.Store.GetMailboxAsync(f.Alice.Id, "!#$&'+,-.0123456789:;<=>?@^_`|[}"));
    }

    [Fact]
    public async Task Select_reports_counts_and_codes()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        await f.AppendAsync(ImapFixture.Simple, MessageFlags.Seen);
        await f.AppendAsync(ImapFixture.Multipart);
        var lines = await f.CommandAsync("a", "SELECT inbox");
        Assert.Contains("* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)", lines);
        Assert.Contains("* 2 EXISTS", lines);
        Assert.Contains("* 2 RECENT", lines);
        Assert.Contains("* OK [UNSEEN 2] First unseen message", lines);
        Assert.Contains("* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted", lines);
        Assert.Contains(lines, l => l.StartsWith("* OK [UIDVALIDITY 1]", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("* OK [UIDNEXT 3]", StringComparison.Ordinal));
        Assert.Equal("a OK [READ-WRITE] SELECT completed", lines[^1]);

        var examine = await f.CommandAsync("b", "EXAMINE INBOX");
        Assert.Equal("b OK [READ-ONLY] EXAMINE completed", examine[^1]);
        var store = await f.CommandAsync("c", "STORE 1 +FLAGS (\\Deleted)");
        Assert.StartsWith("c NO", store[^1]);

        var missing = await f.CommandAsync("d", "SELECT Nope");
        Assert.StartsWith("d NO", missing[^1]);
        var fetch = await f.CommandAsync("e", "FETCH 1 FLAGS");
        Assert.StartsWith("e BAD", fetch[^1]);
    }

    [Fact]
    public async Task Status_reports_counters()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        await f.AppendAsync(ImapFixture.Simple, MessageFlags.Seen);
        await f.AppendAsync(ImapFixture.Simple);
        var lines = await f.CommandAsync("a", "STATUS INBOX (MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN)");
        Assert.Equal("* STATUS INBOX (MESSAGES 2 RECENT 2 UIDNEXT 3 UIDVALIDITY 1 UNSEEN 1)", lines[0]);
        var bad = await f.CommandAsync("b", "STATUS INBOX (BOGUS)");
        Assert.StartsWith("b BAD", bad[^1]);
    }

    [Fact]
    public async Task Status_reports_size_and_append_limit_and_both_are_advertised()
    {
        await using var f = await ImapFixture.LoggedInAsync(new ImapOptions { MaxAppendSize = 123_456 });
        await f.AppendAsync(ImapFixture.Simple);
        await f.AppendAsync(ImapFixture.Simple);
        long size = 2L * System.Text.Encoding.UTF8.GetByteCount(ImapFixture.Simple);
        var lines = await f.CommandAsync("a", "STATUS INBOX (SIZE APPENDLIMIT MESSAGES)");
        Assert.Equal($"* STATUS INBOX (SIZE {size} APPENDLIMIT 123456 MESSAGES 2)", lines[0]);
        var caps = await f.CommandAsync("b", "CAPABILITY");
        Assert.Contains(" STATUS=SIZE", caps[0]);
        Assert.Contains(" APPENDLIMIT=123456", caps[0]);
    }

    [Fact]
    public async Task Noop_reports_new_messages_from_another_party()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        await f.AppendAsync(ImapFixture.Simple);
        await f.CommandAsync("a", "SELECT INBOX");
        var quiet = await f.CommandAsync("b", "NOOP");
        Assert.Equal(["b OK NOOP completed"], quiet);

        await f.AppendAsync(ImapFixture.Multipart);
        await f.AppendAsync(ImapFixture.Simple);
        var noop = await f.CommandAsync("c", "NOOP");
        // This session is the first told, so the new mail joins its \Recent ones (RFC 3501 7.3.2).
        Assert.Equal(["* 3 EXISTS", "* 3 RECENT", "c OK NOOP completed"], noop);
    }

    [Fact]
    public async Task Check_reports_expunges_and_flag_changes_by_others()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        for (int i = 0; i < 4; i++)
        {
            await f.AppendAsync(ImapFixture.Simple);
        }

        await f.SeenByEarlierSessionAsync();
        await f.CommandAsync("a", "SELECT INBOX");
        // Another session deletes messages 2 and 3 and flags message 4.
        await f.Store.SetFlagsAsync(f.Inbox.Id, [2, 3], MessageFlags.Deleted, FlagChange.Add);
        await f.Store.ExpungeAsync(f.Inbox.Id);
        await f.Store.SetFlagsAsync(f.Inbox.Id, [4], MessageFlags.Flagged, FlagChange.Add);
        var check = await f.CommandAsync("b", "CHECK");
        Assert.Equal(["* 2 EXPUNGE", "* 2 EXPUNGE", "* 2 FETCH (FLAGS (\\Flagged))", "b OK CHECK completed"], check);
        var uids = await f.CommandAsync("c", "FETCH 1:* UID");
        Assert.Equal(["* 1 FETCH (UID 1)", "* 2 FETCH (UID 4)", "c OK FETCH completed"], uids);
    }
}
