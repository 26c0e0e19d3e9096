using System.Text;
using Postern.Imap.Commands;
using Postern.Imap.Parsing;
using Xunit;

namespace Postern.Protocol.Tests.Imap;

/// <summary>
/// The raw-header shortcut of header SEARCH may only rule out messages that cannot match: every
/// case where decoding could create a match must fall through to the full evaluation.
/// </summary>
public sealed class HeaderPrefilterTests
{
    private static SearchKey Subject(string value) => new() { Kind = SearchKind.Header, Field = "Subject", Value = value };

    private static bool Excludes(SearchKey key, string header) => HeaderPrefilter.Excludes(key, Encoding.UTF8.GetBytes(header));

    [Fact]
    public void Absent_ascii_needle_in_a_plain_header_is_ruled_out() =>
        Assert.True(Excludes(Subject("zebrafish"), "Subject: Quarterly report\r\nFrom: a@b\r\n\r\n"));

    [Fact]
    public void Present_needle_is_never_ruled_out_whatever_its_case() =>
        Assert.False(Excludes(Subject("zebrafish"), "Subject: ZEBRAFISH news\r\n\r\n"));

    [Fact]
    public void Needle_across_a_folded_line_is_never_ruled_out() =>
        // Unfolding removes the CRLF and keeps the space: the value is "zebra fish".
        Assert.False(Excludes(Subject("zebra fish"), "Subject: zebra\r\n fish\r\n\r\n"));

    [Theory]
    [InlineData("Subject: =?utf-8?q?zebra=66ish?=\r\n\r\n")] // encoded-word: decoding creates the match
    [InlineData("Subject: Zebrafisch für alle\r\n\r\n")]     // 8-bit header: charset decoding is left to the parser
    public void Headers_that_decoding_could_change_are_left_to_the_parser(string header) =>
        Assert.False(Excludes(Subject("zebrafish"), header));

    [Fact]
    public void Non_ascii_needles_and_empty_values_are_left_to_the_parser()
    {
        Assert.False(Excludes(Subject("für"), "Subject: plain\r\n\r\n"));
        Assert.False(Excludes(Subject(""), "Subject: plain\r\n\r\n"));
    }

    [Fact]
    public void A_conjunction_is_ruled_out_by_any_part_but_OR_and_NOT_never_are()
    {
        var and = new SearchKey { Kind = SearchKind.And, Children = [new SearchKey { Kind = SearchKind.All }, Subject("zebrafish")] };
        Assert.True(Excludes(and, "Subject: other\r\n\r\n"));
        var or = new SearchKey { Kind = SearchKind.Or, Children = [Subject("zebrafish"), Subject("other")] };
        Assert.False(Excludes(or, "Subject: nothing\r\n\r\n"));
        var not = new SearchKey { Kind = SearchKind.Not, Children = [Subject("zebrafish")] };
        Assert.False(Excludes(not, "Subject: nothing\r\n\r\n"));
    }
    private static SearchKey From(string value) => new() { Kind = SearchKind.Address, Field = "FROM", Value = value };

    /// <summary>An address key also matches the parsed address, which drops white space, quotes and comments from the raw text.</summary>
    [Theory]
    [InlineData("From: user-from @ domain.org\r\n\r\n", "user-from@domain.org")]
    [InlineData("From: \"user-from\"@domain.org\r\n\r\n", "user-from@domain.org")]
    [InlineData("From: <user-from (x)@domain.org>\r\n\r\n", "user-from@domain.org")]
    [InlineData("From: \"Real\\From\" <a@b>\r\n\r\n", "RealFrom")]
    public void Address_needles_that_parsing_could_reveal_are_left_to_the_parser(string header, string needle) =>
        Assert.False(Excludes(From(needle), header));

    [Fact]
    public void Absent_address_needle_is_ruled_out() =>
        Assert.True(Excludes(From("user-from@domain.org"), "From: \"Someone\" <someone@domain.org>\r\nSubject: user-from\r\n\r\n"));
}
