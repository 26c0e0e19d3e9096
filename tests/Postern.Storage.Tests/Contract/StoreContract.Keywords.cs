
namespace Postern.Storage.Tests.Contract;

public abstract partial class StoreContract
{
    private static Task<uint> AppendWithKeywordsAsync(IMailStore store, long mailbox, params string[] keywords) =>
        store.AppendAsync(mailbox, new MemoryStream("x"u8.ToArray()), MessageFlags.None, keywords, DateTimeOffset.UtcNow);

    [Fact]
    public async Task Append_stores_keywords_unique_case_insensitively_in_first_spelling()
    {
        var (store, alice) = await OpenWithAliceAsync();
        await using (store)
        {
            long inbox = await InboxIdAsync(store, alice.Id);
            await AppendWithKeywordsAsync(store, inbox, "$Label1", "Work", "$label1", "WORK", "$Junk");
            await AppendWithKeywordsAsync(store, inbox, "work", "Personal");
            await AppendWithKeywordsAsync(store, inbox);

            var list = await store.ListMessagesAsync(inbox);
            Assert.Equal(["$Label1", "Work", "$Junk"], list[0].Keywords);
            Assert.Equal(["work", "Personal"], list[1].Keywords);
            Assert.Empty(list[2].Keywords);

            // The mailbox lists each keyword once, whatever the spelling of later uses.
            var info = (await store.GetMailboxAsync(alice.Id, "INBOX"))!;
            Assert.Equal(["$JUNK", "$LABEL1", "PERSONAL", "WORK"], info.Keywords.Select(k => k.ToUpperInvariant()).Order());
            var listed = (await store.ListMailboxesAsync(alice.Id)).Single(b => b.Name == "INBOX");
            Assert.Equal(info.Keywords.Order(), listed.Keywords.Order());
            Assert.Empty((await store.GetMailboxAsync(alice.Id, "Sent"))!.Keywords);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("two words")]
    [InlineData("(paren")]
    [InlineData("paren)")]
    [InlineData("\\Seen")]
    [InlineData("back\\slash")]
    [InlineData("quote\"")]
    [InlineData("brace{")]
    [InlineData("bracket]")]
    [InlineData("star*")]
    [InlineData("percent%")]
    [InlineData("tab\t")]
    [InlineData("nul\0")]
    [InlineData("del\u007f")]
    [InlineData("caf\u00e9")]
    public async Task Invalid_keywords_are_refused(string keyword)
    {
        var (store, alice) = await OpenWithAliceAsync();
        await using (store)
        {
            long inbox = await InboxIdAsync(store, alice.Id);
            await Assert.ThrowsAsync<ArgumentException>(() => AppendWithKeywordsAsync(store, inbox, "ok", keyword));
            Assert.Empty(await store.ListMessagesAsync(inbox));

            uint uid = await AppendWithKeywordsAsync(store, inbox, "ok");
            await Assert.ThrowsAsync<ArgumentException>(() => store.SetFlagsAsync(inbox, [uid], MessageFlags.None, [keyword], FlagChange.Add, null));
            Assert.Equal(["ok"], (await store.ListMessagesAsync(inbox))[0].Keywords);
        }
    }

    [Fact]
    public async Task Replace_sets_flags_and_keywords_exactly_add_and_remove_apply_to_both()
    {
        var (store, alice) = await OpenWithAliceAsync();
        await using (store)
        {
            long inbox = await InboxIdAsync(store, alice.Id);
            uint a = await AppendWithKeywordsAsync(store, inbox, "Old", "Keep");
            uint b = await AppendWithKeywordsAsync(store, inbox);

            var added = await store.SetFlagsAsync(inbox, [a, b], MessageFlags.Flagged, ["New", "KEEP"], FlagChange.Add, null);
            Assert.Equal([a, b], added.Changed.Select(m => m.Uid));
            Assert.Equal(["Old", "Keep", "New"], added.Changed[0].Keywords);
            Assert.Equal(["New", "KEEP"], added.Changed[1].Keywords);
            Assert.All(added.Changed, m => Assert.Equal(MessageFlags.Flagged, m.Flags));

            var removed = await store.SetFlagsAsync(inbox, [a, b], MessageFlags.Flagged, ["old", "keep"], FlagChange.Remove, null);
            Assert.Equal(["New"], removed.Changed[0].Keywords);
            Assert.Equal(["New"], removed.Changed[1].Keywords);
            Assert.All(removed.Changed, m => Assert.Equal(MessageFlags.None, m.Flags));

            var replaced = await store.SetFlagsAsync(inbox, [a], MessageFlags.Seen | MessageFlags.Answered, ["$Forwarded", "new"], FlagChange.Replace, null);
            var now = Assert.Single(replaced.Changed);

            // "new" is already there as "New": the stored spelling stays.
            Assert.Equal(MessageFlags.Seen | MessageFlags.Answered, now.Flags);
            Assert.Equal(["$Forwarded", "New"], now.Keywords);
            Assert.Empty(replaced.Failed);

            var listed = await store.ListMessagesAsync(inbox);
            Assert.Equal(["$Forwarded", "New"], listed[0].Keywords);
            Assert.Equal(["New"], listed[1].Keywords);

            // The keyword-less overload's Replace sets exactly the given flags and no keywords.
            await store.SetFlagsAsync(inbox, [a], MessageFlags.Seen, FlagChange.Replace);
            Assert.Empty((await store.ListMessagesAsync(inbox))[0].Keywords);
            var plainAdd = await store.SetFlagsAsync(inbox, [b], MessageFlags.Seen, FlagChange.Add);
            Assert.Equal(["New"], plainAdd[0].Keywords);
        }
    }
}
