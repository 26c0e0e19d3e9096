using System.Text;
using Postern.Pop3.Parsing;
using Xunit;

namespace Postern.Protocol.Tests.Pop3;

public sealed class ParserTests
{
    [Theory]
    [InlineData("1", 1)]
    [InlineData("007", 7)]
    [InlineData("2147483647", int.MaxValue)]
    public void Numbers_in_range_parse(string text, int expected)
    {
        Assert.Equal(NumberStatus.Ok, NumberParser.Parse(text, 1, int.MaxValue, out int value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("0", "OutOfRange")]
    [InlineData("2147483648", "OutOfRange")]
    [InlineData("99999999999", "OutOfRange")]
    [InlineData("99999999999999999999999999999999", "OutOfRange")]
    [InlineData("", "Invalid")]
    [InlineData("-1", "Invalid")]
    [InlineData("+1", "Invalid")]
    [InlineData(" 1", "Invalid")]
    [InlineData("1e3", "Invalid")]
    [InlineData("\u0661", "Invalid")]
    public void Bad_numbers_are_rejected(string text, string expected)
    {
        Assert.Equal(Enum.Parse<NumberStatus>(expected), NumberParser.Parse(text, 1, int.MaxValue, out _));
    }

    [Fact]
    public void Zero_is_allowed_when_the_minimum_is_zero()
    {
        Assert.Equal(NumberStatus.Ok, NumberParser.Parse("0", 0, int.MaxValue, out int value));
        Assert.Equal(0, value);
    }

    [Fact]
    public void Keyword_is_case_insensitive_and_arguments_split_on_spaces()
    {
        Assert.Equal(CommandParseError.None, CommandParser.TryParse("top 1  10"u8, out var command));
        Assert.Equal("TOP", command!.Keyword);
        Assert.Equal(["1", "10"], command.Arguments);
        Assert.Equal("1  10", command.Rest);
    }

    [Fact]
    public void Pass_keeps_spaces_in_rest()
    {
        Assert.Equal(CommandParseError.None, CommandParser.TryParse("PASS  a b "u8, out var command));
        Assert.Equal(" a b ", command!.Rest);
    }

    [Fact]
    public void Utf8_arguments_are_decoded()
    {
        Assert.Equal(CommandParseError.None, CommandParser.TryParse(Encoding.UTF8.GetBytes("USER jörg@example.org"), out var command));
        Assert.Equal("jörg@example.org", command!.Arguments[0]);
    }

    [Theory]
    [InlineData(new byte[] { }, "Empty")]
    [InlineData(new byte[] { (byte)'L', (byte)'I', (byte)'S', (byte)'T', (byte)'S' }, "BadKeyword")]
    [InlineData(new byte[] { (byte)' ', (byte)'L' }, "BadKeyword")]
    [InlineData(new byte[] { (byte)'L', (byte)'1' }, "BadKeyword")]
    [InlineData(new byte[] { (byte)'U', (byte)'S', (byte)'E', (byte)'R', (byte)' ', 0 }, "ControlCharacter")]
    [InlineData(new byte[] { (byte)'U', (byte)'S', (byte)'E', (byte)'R', (byte)'\t', (byte)'a' }, "ControlCharacter")]
    [InlineData(new byte[] { (byte)'U', (byte)'S', (byte)'E', (byte)'R', (byte)' ', 0xC3 }, "BadEncoding")]
    public void Malformed_lines_are_rejected(byte[] line, string expected)
    {
        Assert.Equal(Enum.Parse<CommandParseError>(expected), CommandParser.TryParse(line, out var command));
        Assert.Null(command);
    }
}
