using Postern.Imap.Parsing;
using Postern.Imap.Session;
using Postern.Storage;
using Xunit;

namespace Postern.Protocol.Tests.Imap;

/// <summary>The pure parts of "$" and ESEARCH ALL: parsing, compact formatting, UID→MSN mapping.</summary>
public class SavedSearchTests
{
    private static SelectedMailbox Box(params uint[] uids) =>
        new(new MailboxInfo(1, 1, "INBOX", null, 1, uids.Length == 0 ? 1 : uids[^1] + 1, 0, 0, 0, false),
            false, [.. uids.Select(u => new MessageInfo(u, MessageFlags.None, DateTimeOffset.UnixEpoch, 10))], 4);

    [Fact]
    public void Dollar_parses_alone_only()
    {
        Assert.True(SequenceSet.TryParse("$", out var s));
        Assert.True(s!.IsSaved);
        Assert.False(SequenceSet.TryParse("$,1", out _));
        Assert.False(SequenceSet.TryParse("1:$", out _));
        Assert.True(SequenceSet.TryParse("1:*", out var plain));
        Assert.False(plain!.IsSaved);
    }

    [Fact]
    public void Dollar_outside_a_command_scope_is_empty() => Assert.Empty(SequenceSet.Saved.Resolve(10));

    [Theory]
    [InlineData(new uint[] { }, "")]
    [InlineData(new uint[] { 7 }, "7")]
    [InlineData(new uint[] { 1, 2, 3, 5, 7, 8 }, "1:3,5,7:8")]
    [InlineData(new uint[] { 4294967294, 4294967295 }, "4294967294:4294967295")]
    public void Format_merges_only_neighbours(uint[] numbers, string expected) => Assert.Equal(expected, SequenceSet.Format(numbers));

    [Fact]
    public void Saved_uids_map_to_message_numbers_by_ranges()
    {
        var box = Box(3, 7, 8, 20, 4294967295);
        SavedSearch.Save(box, [1, 2, 4]);
        Assert.Equal([(7u, 8u), (4294967295u, 4294967295u)], SavedSearch.Get(box));
        Assert.Equal([(2u, 3u), (5u, 5u)], SavedSearch.ToSequenceNumbers(box, SavedSearch.Get(box)));
        // A range spanning every UID maps to every message without visiting numbers one by one.
        Assert.Equal([(1u, 5u)], SavedSearch.ToSequenceNumbers(box, [(1u, uint.MaxValue)]));
        Assert.Empty(SavedSearch.ToSequenceNumbers(box, [(9u, 19u)]));
        SavedSearch.Clear(box);
        Assert.Empty(SavedSearch.Get(box));
        Assert.Empty(SavedSearch.Get(Box(1)));
    }
}
