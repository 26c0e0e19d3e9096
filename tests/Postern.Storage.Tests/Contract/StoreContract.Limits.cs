namespace Postern.Storage.Tests.Contract;

// StoreLimits: every store refuses the same input with StoreLimitException and changes nothing.
public abstract partial class StoreContract
{
    private static Task<uint> AppendKeywordsAsync(IMailStore store, long mailbox, IReadOnlyList<string> keywords) =>
        store.AppendAsync(mailbox, new MemoryStream("x"u8.ToArray()), MessageFlags.None, keywords, DateTimeOffset.UtcNow);

    private static async Task<StoreLimit> LimitOf(Func<Task> action) => (await Assert.ThrowsAsync<StoreLimitException>(action)).Limit;

    [Fact]
    public async Task A_keyword_longer_than_the_limit_is_refused_on_append_and_store()
    {
        var (store, alice) = await OpenWithAliceAsync();
        await using var _ = store;
        long inbox = await InboxIdAsync(store, alice.Id);
        string longest = new('k', StoreLimits.MaxKeywordLength);
        string tooLong = longest + "k";

        Assert.Equal(StoreLimit.KeywordLength, await LimitOf(() => AppendKeywordsAsync(store, inbox, ["ok", tooLong])));
        Assert.Empty(await store.ListMessagesAsync(inbox));
        Assert.Equal(0, StoredBodies(store));

        uint uid = await AppendKeywordsAsync(store, inbox, [longest]);
        ulong modSeq = (await store.ListMessagesAsync(inbox))[0].ModSeq;
        foreach (var change in new[] { FlagChange.Add, FlagChange.Replace, FlagChange.Remove })
        {
            Assert.Equal(StoreLimit.KeywordLength, await LimitOf(() => store.SetFlagsAsync(inbox, [uid], MessageFlags.Seen, [tooLong], change, null)));
        }

        var unchanged = (await store.ListMessagesAsync(inbox))[0];
        Assert.Equal((MessageFlags.None, modSeq), (unchanged.Flags, unchanged.ModSeq));
        Assert.Equal([longest], unchanged.Keywords);
    }

    [Fact]
    public async Task At_most_the_limit_of_keywords_per_message()
    {
        var (store, alice) = await OpenWithAliceAsync();
        await using (store)
        {
            int max = StoreLimits.MaxKeywordsPerMessage;
            long inbox = await InboxIdAsync(store, alice.Id);
            string[] full = [.. Enumerable.Range(1, max).Select(i => "k" + i)];
            Assert.Equal(StoreLimit.KeywordsPerMessage, await LimitOf(() => AppendKeywordsAsync(store, inbox, [.. full, "one-more"])));

            // Duplicates (in any case) are one keyword, so they do not count twice.
            uint uid = await AppendKeywordsAsync(store, inbox, [.. full, "K1", "k2"]);
            Assert.Equal(max, (await store.ListMessagesAsync(inbox))[0].Keywords.Count);

            // Adding one more to a full message fails as a whole, system flag included; a duplicate in other case is no addition.
            Assert.Equal(StoreLimit.KeywordsPerMessage, await LimitOf(() => store.SetFlagsAsync(inbox, [uid], MessageFlags.Seen, ["one-more"], FlagChange.Add, null)));
            var unchanged = (await store.ListMessagesAsync(inbox))[0];
            Assert.Equal((MessageFlags.None, max), (unchanged.Flags, unchanged.Keywords.Count));
            var same = await store.SetFlagsAsync(inbox, [uid], MessageFlags.None, ["K1"], FlagChange.Add, null);
            Assert.Empty(same.Changed);

            // Replacing a full set is fine.
            await store.SetFlagsAsync(inbox, [uid], MessageFlags.None, ["only"], FlagChange.Replace, null);
            Assert.Equal(["only"], (await store.ListMessagesAsync(inbox))[0].Keywords);
        }
    }

    [Fact]
    public async Task At_most_the_limit_of_keywords_in_use_per_mailbox()
    {
        var (store, alice) = await OpenWithAliceAsync();
        await using var _ = store;
        int perMessage = StoreLimits.MaxKeywordsPerMessage;
        int max = StoreLimits.MaxKeywordsPerMailbox;
        long inbox = await InboxIdAsync(store, alice.Id);
        long archive = (await store.GetMailboxAsync(alice.Id, "Archive"))!.Id;
        List<uint> uids = [];
        for (int first = 0; first < max; first += perMessage)
        {
            uids.Add(await AppendKeywordsAsync(store, inbox, [.. Enumerable.Range(first, Math.Min(perMessage, max - first)).Select(i => "m" + i)]));
        }

        var box = (await store.GetMailboxAsync(alice.Id, "INBOX"))!;
        Assert.Equal(max, box.Keywords.Count);

        // A new keyword is refused by append and by store; keywords already in use are not new.
        Assert.Equal(StoreLimit.KeywordsPerMailbox, await LimitOf(() => AppendKeywordsAsync(store, inbox, ["m0", "new"])));
        uint plain = await AppendKeywordsAsync(store, inbox, ["M0", "m1"]);
        Assert.Equal(StoreLimit.KeywordsPerMailbox, await LimitOf(() => store.SetFlagsAsync(inbox, [plain], MessageFlags.Seen, ["new"], FlagChange.Add, null)));
        Assert.Equal(StoreLimit.KeywordsPerMailbox, await LimitOf(() => store.SetFlagsAsync(inbox, [plain], MessageFlags.None, ["new"], FlagChange.Replace, null)));
        var after = (await store.GetMailboxAsync(alice.Id, "INBOX"))!;
        Assert.Equal((box.MessageCount + 1, max), (after.MessageCount, after.Keywords.Count));
        Assert.Equal(MessageFlags.None, (await store.ListMessagesAsync(inbox)).Single(m => m.Uid == plain).Flags);

        // Copying into a mailbox counts there: a full Archive takes no message with another keyword.
        await store.CopyAsync(inbox, [uids[0]], archive);
        await AppendKeywordsAsync(store, archive, [.. Enumerable.Range(0, perMessage).Select(i => "a" + i)]);
        var full = await store.GetMailboxAsync(alice.Id, "Archive");
        while (full!.Keywords.Count < max)
        {
            int from = full.Keywords.Count;
            await AppendKeywordsAsync(store, archive, [.. Enumerable.Range(from, Math.Min(perMessage, max - from)).Select(i => "b" + i)]);
            full = await store.GetMailboxAsync(alice.Id, "Archive");
        }

        Assert.Equal(StoreLimit.KeywordsPerMailbox, await LimitOf(() => store.CopyAsync(inbox, [uids[1]], archive)));
        Assert.Equal(StoreLimit.KeywordsPerMailbox, await LimitOf(() => store.MoveAsync(inbox, [uids[1]], archive)));
        Assert.Equal(full.MessageCount, (await store.GetMailboxAsync(alice.Id, "Archive"))!.MessageCount);
        Assert.Contains(uids[1], (await store.ListMessagesAsync(inbox)).Select(m => m.Uid));

        // Keywords no message uses any more free their place (MailboxInfo.Keywords is what is in use).
        await store.SetFlagsAsync(inbox, [uids[0]], MessageFlags.None, [], FlagChange.Replace, null);
        Assert.Equal(max - perMessage + 2, (await store.GetMailboxAsync(alice.Id, "INBOX"))!.Keywords.Count);
        await store.SetFlagsAsync(inbox, [plain], MessageFlags.None, ["new"], FlagChange.Add, null);
        Assert.Contains("new", (await store.GetMailboxAsync(alice.Id, "INBOX"))!.Keywords);
    }

    public static TheoryData<string, StoreLimit> TooLongOrDeepNames() => new()
    {
        { new string('x', StoreLimits.MaxMailboxNameOctets + 1), StoreLimit.MailboxNameLength },
        { string.Concat(Enumerable.Repeat("\u00e9", (StoreLimits.MaxMailboxNameOctets + 1) / 2)), StoreLimit.MailboxNameLength }, // 2 octets each in UTF-8
        { string.Join('/', Enumerable.Repeat("l", StoreLimits.MaxMailboxNameLevels + 1)), StoreLimit.MailboxNameDepth },
    };

    [Theory]
    [MemberData(nameof(TooLongOrDeepNames))]
    public async Task Too_long_or_too_deep_mailbox_names_are_refused_on_create_and_rename(string name, StoreLimit limit)
    {
        var (store, alice) = await OpenWithAliceAsync();
        await using var _ = store;
        int before = (await store.ListMailboxesAsync(alice.Id)).Count;
        Assert.Equal(limit, await LimitOf(() => store.CreateMailboxAsync(alice.Id, name)));
        Assert.Equal(limit, await LimitOf(() => store.RenameMailboxAsync(alice.Id, "Sent", name)));
        Assert.Equal(before, (await store.ListMailboxesAsync(alice.Id)).Count);
        Assert.NotNull(await store.GetMailboxAsync(alice.Id, "Sent"));
    }

    [Fact]
    public async Task Renaming_a_parent_is_refused_when_a_child_would_be_too_deep()
    {
        var (store, alice) = await OpenWithAliceAsync();
        await using var _ = store;
        await store.CreateMailboxAsync(alice.Id, "A/B/C");
        string deep = string.Join('/', Enumerable.Repeat("l", StoreLimits.MaxMailboxNameLevels - 1));
        Assert.Equal(StoreLimit.MailboxNameDepth, await LimitOf(() => store.RenameMailboxAsync(alice.Id, "A", deep)));
        Assert.NotNull(await store.GetMailboxAsync(alice.Id, "A/B/C"));
        Assert.Null(await store.GetMailboxAsync(alice.Id, deep));
    }
}
