using System.Buffers;
using System.Text;
using Postern.Pop3.Session;
using Xunit;

namespace Postern.Protocol.Tests.Pop3;

public sealed class DotStufferTests
{
    private static string Encode(string message, long? bodyLines = null, int chunk = int.MaxValue)
    {
        var stuffer = new DotStuffer(bodyLines);
        var output = new ArrayBufferWriter<byte>();
        var bytes = Encoding.ASCII.GetBytes(message);
        for (int i = 0; i < bytes.Length && !stuffer.Done; i += chunk)
        {
            stuffer.Append(bytes.AsSpan(i, Math.Min(chunk, bytes.Length - i)), output);
        }

        stuffer.Complete(output);
        return Encoding.ASCII.GetString(output.WrittenSpan);
    }

    [Theory]
    [InlineData("", ".\r\n")]
    [InlineData("a\r\n", "a\r\n.\r\n")]
    [InlineData("a", "a\r\n.\r\n")]
    [InlineData("a\r", "a\r\n.\r\n")]
    [InlineData(".\r\n", "..\r\n.\r\n")]
    [InlineData(".a\r\n.b", "..a\r\n..b\r\n.\r\n")]
    [InlineData("a.\r\nb .\r\n", "a.\r\nb .\r\n.\r\n")]
    [InlineData("a\n.b\n", "a\r\n..b\r\n.\r\n")]
    [InlineData("\r\n\r\n.\r\n", "\r\n\r\n..\r\n.\r\n")]
    public void Stuffs_dots_and_terminates(string message, string expected)
    {
        Assert.Equal(expected, Encode(message));
    }

    [Fact]
    public void Output_is_the_same_for_every_chunk_size()
    {
        const string message = "H: 1\r\n\r\n.a\r\n..b\r\nc.\r\n.\r\n\r\n.";
        var whole = Encode(message);
        for (int chunk = 1; chunk <= message.Length; chunk++)
        {
            Assert.Equal(whole, Encode(message, chunk: chunk));
        }

        for (int chunk = 1; chunk <= message.Length; chunk++)
        {
            Assert.Equal(Encode(message, bodyLines: 2), Encode(message, bodyLines: 2, chunk: chunk));
        }
    }

    [Theory]
    [InlineData(0, "A: 1\r\nB: 2\r\n\r\n.\r\n")]
    [InlineData(1, "A: 1\r\nB: 2\r\n\r\nl1\r\n.\r\n")]
    [InlineData(2, "A: 1\r\nB: 2\r\n\r\nl1\r\n..l2\r\n.\r\n")]
    [InlineData(3, "A: 1\r\nB: 2\r\n\r\nl1\r\n..l2\r\n\r\n.\r\n")]
    [InlineData(99, "A: 1\r\nB: 2\r\n\r\nl1\r\n..l2\r\n\r\nl4\r\n.\r\n")]
    public void Top_stops_after_n_body_lines(int lines, string expected)
    {
        Assert.Equal(expected, Encode("A: 1\r\nB: 2\r\n\r\nl1\r\n.l2\r\n\r\nl4", lines));
    }

    [Fact]
    public void Top_of_a_message_without_body_sends_the_headers()
    {
        Assert.Equal("A: 1\r\n.\r\n", Encode("A: 1\r\n", 5));
        Assert.Equal("A: 1\r\n.\r\n", Encode("A: 1", 0));
    }

    [Fact]
    public void Top_reports_done_so_the_rest_is_not_read()
    {
        var stuffer = new DotStuffer(1);
        var output = new ArrayBufferWriter<byte>();
        stuffer.Append("A: 1\r\n\r\nfirst\r\nsecond\r\n"u8, output);
        Assert.True(stuffer.Done);
        Assert.Equal("A: 1\r\n\r\nfirst\r\n", Encoding.ASCII.GetString(output.WrittenSpan));
    }
}
