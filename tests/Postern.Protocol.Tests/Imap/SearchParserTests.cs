using System.Text;
using Postern.Imap.Parsing;
using Xunit;

namespace Postern.Protocol.Tests.Imap;

public class SearchParserTests
{
    private static IReadOnlyList<ImapToken> Args(string criteria)
    {
        var outcome = ImapParser.Parse(Encoding.UTF8.GetBytes("a SEARCH " + criteria + "\r\n"), 1024, 64);
        Assert.Equal(ParseStatus.Complete, outcome.Status);
        return outcome.Command!.Args;
    }

    [Fact]
    public void Nested_or_not_and_groups()
    {
        var key = SearchParser.Parse(Args("OR (FROM bob SUBJECT hi) NOT SEEN UID 1:*"), 8);
        Assert.Equal(SearchKind.And, key.Kind);
        Assert.Equal(SearchKind.Or, key.Children[0].Kind);
        Assert.Equal(SearchKind.And, key.Children[0].Children[0].Kind);
        Assert.Equal(SearchKind.Not, key.Children[0].Children[1].Kind);
        Assert.Equal(SearchKind.UidSet, key.Children[1].Kind);
        Assert.True(key.NeedsContent);
    }

    [Fact]
    public void Depth_limit_applies_to_not_chains_and_groups()
    {
        SearchParser.Parse(Args(string.Concat(Enumerable.Repeat("NOT ", 7)) + "SEEN"), 8);
        Assert.Throws<SearchParser.SearchSyntaxException>(() => SearchParser.Parse(Args(string.Concat(Enumerable.Repeat("NOT ", 20)) + "SEEN"), 8));
        Assert.Throws<SearchParser.SearchSyntaxException>(() => SearchParser.Parse(Args(new string('(', 10) + "ALL" + new string(')', 10)), 8));
    }

    [Theory]
    [InlineData("")]
    [InlineData("FROM")]
    [InlineData("BOGUS")]
    [InlineData("OR SEEN")]
    [InlineData("SINCE 32-Jan-2020")]
    [InlineData("LARGER x")]
    public void Invalid_criteria(string criteria) =>
        Assert.Throws<SearchParser.SearchSyntaxException>(() => SearchParser.Parse(Args(criteria), 8));

    [Fact]
    public void Dates_parse() => Assert.True(SearchParser.TryParseDate("1-Feb-1994", out var d) && d == new DateOnly(1994, 2, 1));
}
