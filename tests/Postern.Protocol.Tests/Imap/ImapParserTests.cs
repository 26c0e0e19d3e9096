using System.Text;
using Postern.Imap.Parsing;
using Xunit;

namespace Postern.Protocol.Tests.Imap;

public class ImapParserTests
{
    private static ParseOutcome Parse(string text, int maxLiteral = 1024, int maxDepth = 8) =>
        ImapParser.Parse(Encoding.UTF8.GetBytes(text), maxLiteral, maxDepth);

    private static ImapCommand Complete(string text)
    {
        var outcome = Parse(text);
        Assert.Equal(ParseStatus.Complete, outcome.Status);
        Assert.Equal(Encoding.UTF8.GetByteCount(text), outcome.Consumed);
        return outcome.Command!;
    }

    [Fact]
    public void Parses_tag_name_and_atoms()
    {
        var c = Complete("a1 login alice secret\r\n");
        Assert.Equal("a1", c.Tag);
        Assert.Equal("LOGIN", c.Name);
        Assert.Equal(["alice", "secret"], c.Args.Select(a => a.Text));
        Assert.All(c.Args, a => Assert.Equal(ImapTokenKind.Atom, a.Kind));
    }

    [Fact]
    public void Quoted_strings_unescape_quote_and_backslash()
    {
        var c = Complete("a LOGIN \"al \\\"ice\\\\\" \"\"\r\n");
        Assert.Equal("al \"ice\\", c.Args[0].Text);
        Assert.Equal(ImapTokenKind.String, c.Args[0].Kind);
        Assert.Equal("", c.Args[1].Text);
    }

    [Theory]
    [InlineData("a LOGIN \"x\\n\" y\r\n")]
    [InlineData("a LOGIN \"x\r\n")]
    public void Bad_quoted_strings_are_invalid(string text)
    {
        var outcome = Parse(text);
        Assert.Equal(ParseStatus.Invalid, outcome.Status);
        Assert.Equal("a", outcome.Tag);
    }

    [Theory]
    [InlineData("a LOGIN {5}\r\nalice {6}\r\nsecret\r\n")]
    [InlineData("a LOGIN {5+}\r\nalice {6+}\r\nsecret\r\n")]
    public void Literals_sync_and_non_sync(string text)
    {
        var c = Complete(text);
        Assert.Equal(["alice", "secret"], c.Args.Select(a => a.Text));
        Assert.All(c.Args, a => Assert.True(a.IsLiteral));
    }

    [Fact]
    public void Literal_may_hold_crlf_and_parentheses()
    {
        var c = Complete("a SEARCH SUBJECT {6}\r\n(\r\n)\"x\r\n");
        Assert.Equal("(\r\n)\"x", c.Args[1].Text);
    }

    [Fact]
    public void Over_limit_literal_is_invalid()
    {
        var outcome = Parse("a LOGIN {2000}\r\n" + new string('x', 2000) + " y\r\n", maxLiteral: 1024);
        Assert.Equal(ParseStatus.Invalid, outcome.Status);
        Assert.Equal("Literal too large", outcome.Error);
    }

    [Fact]
    public void Nil_and_lists()
    {
        var c = Complete("a STATUS INBOX (MESSAGES (UNSEEN NIL) \"NIL\")\r\n");
        var list = c.Args[1];
        Assert.Equal(ImapTokenKind.List, list.Kind);
        Assert.Equal(3, list.Items.Count);
        Assert.True(list.Items[1].Items[1].IsNil);
        Assert.False(list.Items[2].IsNil);
    }

    [Fact]
    public void Fetch_section_with_spaces_stays_one_atom()
    {
        var c = Complete("a UID FETCH 1:* (UID BODY.PEEK[HEADER.FIELDS (SUBJECT FROM)]<0.100> FLAGS)\r\n");
        Assert.Equal("UID FETCH", c.Name);
        Assert.Equal(["UID", "BODY.PEEK[HEADER.FIELDS (SUBJECT FROM)]<0.100>", "FLAGS"], c.Args[1].Items.Select(i => i.Text));
    }

    /// <summary>
    /// "[" is an ATOM-CHAR (RFC 3501 9: only "]" is a resp-special); only a fetch attribute's section
    /// may hold spaces up to its "]". Every other ATOM-CHAR too (imaptest atoms).
    /// </summary>
    [Theory]
    [InlineData("a SELECT !#$&'+,-.0123456789:;<=>?@^_`|[}\r\n", new[] { "!#$&'+,-.0123456789:;<=>?@^_`|[}" })]
    [InlineData("a LIST \"\" !#$&'+,-.0123456789:;<=>?@^_`|[}%*\r\n", new[] { "", "!#$&'+,-.0123456789:;<=>?@^_`|[}%*" })]
    [InlineData("a LIST \"\" a[b \"c]\"\r\n", new[] { "", "a[b", "c]" })]
    [InlineData("a CREATE x[1]y\r\n", new[] { "x[1]y" })]
    public void Open_bracket_is_an_atom_char(string text, string[] args) =>
        Assert.Equal(args, Complete(text).Args.Select(a => a.Text));

    [Fact]
    public void Nesting_beyond_the_limit_is_invalid()
    {
        Assert.Equal(ParseStatus.Complete, Parse("a SEARCH " + new string('(', 8) + "ALL" + new string(')', 8) + "\r\n").Status);
        var outcome = Parse("a SEARCH " + new string('(', 9) + "ALL" + new string(')', 9) + "\r\n");
        Assert.Equal(ParseStatus.Invalid, outcome.Status);
    }

    [Theory]
    [InlineData("a SEARCH (ALL\r\n")]
    [InlineData("a SEARCH ALL)\r\n")]
    [InlineData("a+ NOOP\r\n")]
    [InlineData("* NOOP\r\n")]
    [InlineData(" NOOP\r\n")]
    [InlineData("a\r\n")]
    [InlineData("a NO\u0001OP\r\n")]
    [InlineData("a FETCH 1 BODY[HEADER\r\n")]
    public void Invalid_commands(string text) => Assert.Equal(ParseStatus.Invalid, Parse(text).Status);

    [Theory]
    [InlineData("a1 NOOP\r\n")]
    [InlineData("a2 LOGIN \"alice\" {6}\r\nsecret\r\n")]
    [InlineData("a3 UID FETCH 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)]<0.10>)\r\n")]
    [InlineData("a4 SEARCH CHARSET UTF-8 OR (FROM \"bob\" SUBJECT {5+}\r\nhello) NOT SEEN\r\n")]
    public void Every_incomplete_prefix_needs_more_data(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        for (int n = 0; n < bytes.Length; n++)
        {
            var outcome = ImapParser.Parse(bytes.AsSpan(0, n), 1024, 8);
            Assert.True(outcome.Status == ParseStatus.NeedMoreData, $"prefix of {n} bytes gave {outcome.Status} ({outcome.Error})");
        }

        Assert.Equal(ParseStatus.Complete, ImapParser.Parse(bytes, 1024, 8).Status);
    }

    [Theory]
    [InlineData("a LOGIN {5}", 5, false)]
    [InlineData("a LOGIN {12+}", 12, true)]
    [InlineData("a LOGIN \"x\" {0}", 0, false)]
    public void Literal_marker_at_line_end(string line, long size, bool nonSync)
    {
        Assert.True(LiteralMarker.TryFindAtEnd(Encoding.ASCII.GetBytes(line), out long s, out bool ns));
        Assert.Equal(size, s);
        Assert.Equal(nonSync, ns);
    }

    [Theory]
    [InlineData("a LOGIN {5")]
    [InlineData("a LOGIN {}")]
    [InlineData("a LOGIN {-1}")]
    [InlineData("a LOGIN {99999999999}")]
    [InlineData("a LOGIN x}")]
    public void Not_a_literal_marker(string line) =>
        Assert.False(LiteralMarker.TryFindAtEnd(Encoding.ASCII.GetBytes(line), out _, out _));
}
