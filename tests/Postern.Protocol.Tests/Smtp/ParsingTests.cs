using System.Text;
using Postern.Smtp.Parsing;
using Xunit;

namespace Postern.Protocol.Tests.Smtp;

/// <summary>The pure parsers, fed strings and bytes directly.</summary>
public class ParsingTests
{
    [Theory]
    [InlineData("<a@b.test>", "a", "b.test")]
    [InlineData("<first.last+tag@sub.example.org>", "first.last+tag", "sub.example.org")]
    [InlineData("<\"a b\\\"c\"@x.test>", "\"a b\\\"c\"", "x.test")]
    [InlineData("<\"bob\"@x.test>", "bob", "x.test")]
    [InlineData("<\"b\\ob.x\"@x.test>", "bob.x", "x.test")]
    [InlineData("<\"v%w.test\"@x.test>", "v%w.test", "x.test")]
    [InlineData("<\"v@w.test\"@x.test>", "\"v@w.test\"", "x.test")]
    [InlineData("<\"a..b\"@x.test>", "\"a..b\"", "x.test")]
    [InlineData("<x@[192.0.2.1]>", "x", "[192.0.2.1]")]
    [InlineData("<x@[IPv6:2001:db8::1]>", "x", "[IPv6:2001:db8::1]")]
    [InlineData("<Postmaster>", "Postmaster", "")]
    public void Valid_paths(string input, string local, string domain)
    {
        Assert.Equal(PathError.None, PathParser.TryParse(input, allowNull: false, allowBarePostmaster: true, out var address, out int consumed));
        Assert.Equal(local, address.LocalPart);
        Assert.Equal(domain, address.Domain);
        Assert.Equal(input.Length, consumed);
        Assert.False(address.HasNonAscii);
    }

    [Theory]
    [InlineData("<>", true, "None")]
    [InlineData("<>", false, "Syntax")]
    [InlineData("<@a.test:u@d.test>", true, "SourceRoute")]
    [InlineData("<@a.test,@b.test:u@d.test>", true, "SourceRoute")]
    [InlineData("", true, "Syntax")]
    [InlineData("<", true, "Syntax")]
    [InlineData("<a@b.test", true, "Syntax")]
    [InlineData("a@b.test", true, "Syntax")]
    [InlineData("<.a@b.test>", true, "Syntax")]
    [InlineData("<a.@b.test>", true, "Syntax")]
    [InlineData("<a@b..test>", true, "Syntax")]
    [InlineData("<a@b.test.>", true, "Syntax")]
    [InlineData("<a@b-.test>", true, "Syntax")]
    [InlineData("<a@>", true, "Syntax")]
    [InlineData("<@>", true, "SourceRoute")]
    [InlineData("<a>", true, "Syntax")]
    [InlineData("<\"unterminated@b.test>", true, "Syntax")]
    [InlineData("<a\u0001@b.test>", true, "Syntax")]
    [InlineData("<a@[1.2.3]>", true, "Syntax")]
    [InlineData("<a@[IPv6:fe80::1%eth0]>", true, "Syntax")]
    [InlineData("<a@[tag:general]>", true, "Syntax")]
    public void Invalid_or_special_paths(string input, bool allowNull, string expected)
    {
        Assert.Equal(expected, PathParser.TryParse(input, allowNull, allowBarePostmaster: false, out _, out _).ToString());
    }

    [Fact]
    public void Length_limits_count_octets()
    {
        // 32 two-octet characters = 64 octets: allowed; one more is not.
        string local = new('é', 32);
        Assert.Equal(PathError.None, PathParser.TryParse($"<{local}@b.test>", false, false, out var a, out _));
        Assert.True(a.HasNonAscii);
        Assert.Equal(PathError.TooLong, PathParser.TryParse($"<{local}é@b.test>", false, false, out _, out _));
        string label = new('d', 64);
        Assert.Equal(PathError.Syntax, PathParser.TryParse($"<a@{label}.test>", false, false, out _, out _));
        string path = "<" + new string('a', 64) + "@" + string.Join('.', Enumerable.Repeat(new string('d', 62), 3)) + ".abcdefgh>";
        Assert.True(Encoding.UTF8.GetByteCount(path) > PathParser.MaxPath);
        Assert.Equal(PathError.TooLong, PathParser.TryParse(path, false, false, out _, out _));
    }

    [Theory]
    [InlineData("FROM:<a@b.test>", 0)]
    [InlineData("from: <a@b.test> SIZE=10 body=8bitmime", 2)]
    [InlineData("FROM:<a@b.test>  SMTPUTF8 ", 1)]
    public void Mail_arguments(string args, int parameterCount)
    {
        Assert.Equal(ArgumentError.None, PathArguments.TryParse(args, "FROM:", isMail: true, out var parsed));
        Assert.Equal("a@b.test", parsed!.Address.ToString());
        Assert.Equal(parameterCount, parsed.Parameters.Count);
        Assert.All(parsed.Parameters, p => Assert.Equal(p.Keyword.ToUpperInvariant(), p.Keyword));
    }

    [Theory]
    [InlineData("FROM:<a@b.test>X=1", "Syntax")]
    [InlineData("FROM:<a@b.test> =1", "Parameter")]
    [InlineData("FROM:<a@b.test> X=", "Parameter")]
    [InlineData("FROM:<a@b.test> X=a=b", "Parameter")]
    [InlineData("FROM:<a@b.test> -X", "Parameter")]
    [InlineData("TO:<a@b.test>", "Syntax")]
    [InlineData("FROM <a@b.test>", "Syntax")]
    public void Bad_mail_arguments(string args, string expected)
    {
        Assert.Equal(Enum.Parse<ArgumentError>(expected), PathArguments.TryParse(args, "FROM:", isMail: true, out _));
    }

    [Fact]
    public void Parameter_count_is_limited()
    {
        string args = "FROM:<a@b.test>" + string.Concat(Enumerable.Range(0, 17).Select(i => $" X{i}"));
        Assert.Equal(ArgumentError.Parameter, PathArguments.TryParse(args, "FROM:", isMail: true, out _));
    }

    [Theory]
    [InlineData(".", false, true, true)]
    [InlineData(".", true, true, false)]
    [InlineData(".", false, false, false)]
    [InlineData("..", false, true, false)]
    [InlineData(". ", false, true, false)]
    [InlineData(".\r", false, true, false)]
    [InlineData("", false, true, false)]
    public void End_of_data_needs_crlf_on_both_sides(string content, bool bareLf, bool previousCrlf, bool expected)
    {
        Assert.Equal(expected, DataLine.IsEndOfData(Encoding.ASCII.GetBytes(content), bareLf, previousCrlf));
    }

    [Theory]
    [InlineData("..", ".")]
    [InlineData(".abc", "abc")]
    [InlineData("abc", "abc")]
    [InlineData("a.b", "a.b")]
    [InlineData("", "")]
    public void Unstuffing_removes_one_leading_dot(string content, string expected)
    {
        Assert.Equal(expected, Encoding.ASCII.GetString(DataLine.Unstuff(Encoding.ASCII.GetBytes(content))));
    }

    [Theory]
    [InlineData("abc", false)]
    [InlineData("a\rb", true)]
    [InlineData("\r", true)]
    public void Bare_cr_is_detected(string content, bool expected)
    {
        Assert.Equal(expected, DataLine.HasBareCarriageReturn(Encoding.ASCII.GetBytes(content)));
    }
}
