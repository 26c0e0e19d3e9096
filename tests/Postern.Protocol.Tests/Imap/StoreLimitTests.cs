using Postern.Storage;
using Xunit;

namespace Postern.Protocol.Tests.Imap;

/// <summary>
/// Issue 9 point 4: what the store limits (<see cref="StoreLimits"/>) refuses, IMAP answers with
/// NO [LIMIT] (RFC 5530 3) and one sentence naming the limit: before the store is reached when the
/// command alone shows it (checked with <see cref="Postern.Testing.MemoryMailStore.WriteCalls"/>),
/// and from the store's <see cref="StoreLimitException"/> when only the store can tell; never [SERVERBUG].
/// </summary>
public class StoreLimitTests
{
    private static readonly string s_longest = new('k', StoreLimits.MaxKeywordLength);
    private static readonly string s_tooLong = s_longest + "k";

    private static string Keywords(string prefix, int from, int count) =>
        string.Join(' ', Enumerable.Range(from, count).Select(i => prefix + i));

    /// <summary>Sends a command and checks that it got exactly <paramref name="answer"/> without calling the store.</summary>
    private static async Task AssertRefusedBeforeStoreAsync(ImapFixture f, string command, string answer)
    {
        int writes = f.Memory.WriteCalls;
        Assert.Equal([answer], await f.CommandAsync("t", command));
        Assert.Equal(writes, f.Memory.WriteCalls);
    }

    [Fact]
    public async Task Uid_store_of_a_keyword_over_the_length_limit_is_NO_LIMIT_before_the_store()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        await f.AppendAsync(ImapFixture.Simple);
        await f.CommandAsync("s", "SELECT INBOX");

        await AssertRefusedBeforeStoreAsync(f, $"UID STORE 1 +FLAGS ({s_tooLong})", "t NO [LIMIT] A keyword may have at most 64 characters.");
        await AssertRefusedBeforeStoreAsync(f, $"STORE 1 FLAGS (\\Seen {s_tooLong})", "t NO [LIMIT] A keyword may have at most 64 characters.");
        Assert.Equal(MessageFlags.None, (await f.Store.ListMessagesAsync(f.Inbox.Id))[0].Flags);

        // The longest allowed keyword is stored.
        Assert.Equal($"a OK UID STORE completed", (await f.CommandAsync("a", $"UID STORE 1 +FLAGS ({s_longest})"))[^1]);
        Assert.Equal([s_longest], (await f.Store.ListMessagesAsync(f.Inbox.Id))[0].Keywords);
    }

    [Theory]
    [InlineData(StoreLimits.MaxKeywordsPerMessage + 1)]
    [InlineData(101)]
    public async Task More_keywords_in_one_store_than_a_message_may_have_is_NO_LIMIT_before_the_store(int count)
    {
        await using var f = await ImapFixture.LoggedInAsync();
        await f.AppendAsync(ImapFixture.Simple);
        await f.CommandAsync("s", "SELECT INBOX");

        await AssertRefusedBeforeStoreAsync(f, $"UID STORE 1 +FLAGS ({Keywords("k", 1, count)})", "t NO [LIMIT] A message may have at most 64 keywords.");
        Assert.Empty((await f.Store.ListMessagesAsync(f.Inbox.Id))[0].Keywords);

        // The same keyword in other spellings counts once.
        Assert.Equal("a OK STORE completed", (await f.CommandAsync("a", $"STORE 1 FLAGS ({Keywords("k", 1, StoreLimits.MaxKeywordsPerMessage)} K1 K2)"))[^1]);
        Assert.Equal(StoreLimits.MaxKeywordsPerMessage, (await f.Store.ListMessagesAsync(f.Inbox.Id))[0].Keywords.Count);
    }

    [Fact]
    public async Task One_keyword_too_many_on_a_full_message_is_NO_LIMIT_from_the_store_not_SERVERBUG()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        await f.AppendAsync(ImapFixture.Simple);
        await f.CommandAsync("s", "SELECT INBOX");
        Assert.Equal("a OK STORE completed", (await f.CommandAsync("a", $"STORE 1 +FLAGS ({Keywords("k", 1, StoreLimits.MaxKeywordsPerMessage)})"))[^1]);

        // IMAP only sees one keyword in the command; the store sees the message would carry 65.
        Assert.Equal(["b NO [LIMIT] A message may have at most 64 keywords."], await f.CommandAsync("b", "UID STORE 1 +FLAGS (\\Flagged one-more)"));
        var message = (await f.Store.ListMessagesAsync(f.Inbox.Id))[0];
        Assert.Equal((MessageFlags.None, StoreLimits.MaxKeywordsPerMessage), (message.Flags, message.Keywords.Count));
        Assert.Equal("c OK NOOP completed", (await f.CommandAsync("c", "NOOP"))[^1]);
    }

    [Fact]
    public async Task A_new_keyword_in_a_mailbox_that_uses_the_most_is_NO_LIMIT_for_store_append_and_copy()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        int perMessage = StoreLimits.MaxKeywordsPerMessage;
        for (int first = 0; first < StoreLimits.MaxKeywordsPerMailbox; first += perMessage)
        {
            uint uid = await f.AppendAsync(ImapFixture.Simple);
            await f.Store.SetFlagsAsync(f.Inbox.Id, [uid], MessageFlags.None, [.. Keywords("m", first, perMessage).Split(' ')], FlagChange.Add, null);
        }

        uint plain = await f.AppendAsync(ImapFixture.Simple);
        await f.CommandAsync("s", "SELECT INBOX");
        const string full = "A mailbox may use at most 256 different keywords.";
        Assert.Equal(["a NO [LIMIT] " + full], await f.CommandAsync("a", $"UID STORE {plain} +FLAGS (brand-new)"));

        await f.Client.SendLineAsync($"b APPEND INBOX (brand-new) {{{ImapFixture.Simple.Length}}}");
        Assert.Equal("+ Ready for literal data", await f.Client.ReadLineAsync());
        await f.Client.SendAsync(ImapFixture.Simple + "\r\n");
        Assert.Equal(["b NO [LIMIT] " + full], await f.Client.ReadUntilAsync("b "));

        // Archive uses other keywords up to the limit: a copy of a message with m0..m63 does not fit.
        var archive = (await f.Store.GetMailboxAsync(f.Alice.Id, "Archive"))!;
        for (int first = 0; first < StoreLimits.MaxKeywordsPerMailbox; first += perMessage)
        {
            await f.Store.AppendAsync(archive.Id, new MemoryStream("x"u8.ToArray()), MessageFlags.None, [.. Keywords("a", first, perMessage).Split(' ')], DateTimeOffset.UtcNow);
        }

        Assert.Equal(["c NO [LIMIT] " + full], await f.CommandAsync("c", "UID COPY 1 Archive"));
        Assert.Equal(["d NO [LIMIT] " + full], await f.CommandAsync("d", "UID MOVE 1 Archive"));
        Assert.Equal(5, (await f.Store.GetMailboxAsync(f.Alice.Id, "INBOX"))!.MessageCount);
        Assert.Equal(4, (await f.Store.GetMailboxAsync(f.Alice.Id, "Archive"))!.MessageCount);
    }

    [Fact]
    public async Task Append_with_a_keyword_over_the_limit_is_refused_before_the_literal()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        int writes = f.Memory.WriteCalls;
        await f.Client.SendLineAsync($"a APPEND INBOX ({s_tooLong}) {{{ImapFixture.Simple.Length}}}");
        Assert.Equal("a NO [LIMIT] A keyword may have at most 64 characters.", await f.Client.ReadLineAsync());

        // A non-synchronizing literal is already on its way: it is skipped, never read as commands.
        await f.Client.SendAsync($"b APPEND INBOX ({Keywords("k", 1, 70)}) {{{ImapFixture.Simple.Length}+}}\r\n{ImapFixture.Simple}\r\n");
        Assert.Equal(["b NO [LIMIT] A message may have at most 64 keywords."], await f.Client.ReadUntilAsync("b "));
        Assert.Equal("c OK NOOP completed", (await f.CommandAsync("c", "NOOP"))[^1]);
        Assert.Equal(writes, f.Memory.WriteCalls);
        Assert.Empty(await f.Store.ListMessagesAsync(f.Inbox.Id));
    }

    public static TheoryData<string, string> TooLongOrDeep() => new()
    {
        { new string('x', StoreLimits.MaxMailboxNameOctets + 1), "A mailbox name may have at most 255 octets (UTF-8)." },
        { string.Join('/', Enumerable.Repeat("l", StoreLimits.MaxMailboxNameLevels + 1)), "A mailbox name may have at most 16 levels." },
    };

    [Theory]
    [MemberData(nameof(TooLongOrDeep))]
    public async Task Create_and_rename_to_a_name_over_the_limits_are_NO_LIMIT_before_the_store(string name, string sentence)
    {
        await using var f = await ImapFixture.LoggedInAsync();
        await AssertRefusedBeforeStoreAsync(f, $"CREATE \"{name}\"", "t NO [LIMIT] " + sentence);
        await AssertRefusedBeforeStoreAsync(f, $"RENAME Sent \"{name}\"", "t NO [LIMIT] " + sentence);
        Assert.NotNull(await f.Store.GetMailboxAsync(f.Alice.Id, "Sent"));
        Assert.Null(await f.Store.GetMailboxAsync(f.Alice.Id, name));
    }

    [Fact]
    public async Task Rename_whose_child_would_be_too_long_is_NO_LIMIT_from_the_store()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        Assert.Equal("a OK CREATE completed", (await f.CommandAsync("a", "CREATE Work/Reports"))[^1]);
        string longest = new('n', StoreLimits.MaxMailboxNameOctets);
        Assert.Equal(["b NO [LIMIT] A mailbox name may have at most 255 octets (UTF-8)."], await f.CommandAsync("b", $"RENAME Work \"{longest}\""));
        Assert.NotNull(await f.Store.GetMailboxAsync(f.Alice.Id, "Work/Reports"));
    }
}
