using Postern.Imap.Parsing;
using Xunit;

namespace Postern.Protocol.Tests.Imap;

public class SequenceSetTests
{
    private static List<(uint, uint)> Resolve(string text, uint largest)
    {
        Assert.True(SequenceSet.TryParse(text, out var set));
        return set!.Resolve(largest).Select(r => (r.From, r.To)).ToList();
    }

    [Fact]
    public void Star_is_the_largest_number() => Assert.Equal([(7u, 7u)], Resolve("*", 7));

    [Fact]
    public void Reversed_ranges_are_normalised() => Assert.Equal([(2u, 5u)], Resolve("5:2", 10));

    [Fact]
    public void Star_range_either_order() => Assert.Equal([(3u, 9u)], Resolve("*:3", 9));

    [Fact]
    public void Ranges_are_merged_and_sorted() => Assert.Equal([(1u, 4u), (8u, 8u)], Resolve("8,3:4,1:2", 10));

    [Fact]
    public void Huge_sets_are_not_expanded()
    {
        var r = Resolve("1:4294967295", 3);
        Assert.Equal([(1u, 4294967295u)], r);
        Assert.True(SequenceSet.Contains(Resolve("1:4294967295", 3), 4000000000));
        Assert.False(SequenceSet.Contains(Resolve("2:5,9", 3), 6));
    }

    [Fact]
    public void Uid_range_above_largest_still_covers_the_last_message()
    {
        // RFC 3501 6.4.8: "n:*" with n above the largest UID includes the largest.
        Assert.True(SequenceSet.Contains(Resolve("50:*", 7), 7));
    }

    [Fact]
    public void Star_in_an_empty_mailbox_matches_nothing() => Assert.Empty(Resolve("*", 0));

    [Theory]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("1:")]
    [InlineData(",1")]
    [InlineData("a")]
    [InlineData("1:2:3")]
    [InlineData("01")]
    [InlineData("99999999999")]
    public void Invalid_sets(string text) => Assert.False(SequenceSet.TryParse(text, out _));
}
