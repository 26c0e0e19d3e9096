using System.Text;
using Postern.Net;
using Xunit;

namespace Postern.Protocol.Tests.Net;

/// <summary>
/// MailConnection.ReadLinePieceAsync, the reader behind SMTP DATA lines of any length: pieces are
/// bounded, reassemble to the exact line, and a CRLF split across pieces is still one CRLF.
/// </summary>
public sealed class LinePieceTests
{
    private static (MailConnection Server, Stream Client) Pair() => MailConnectionTests.Pair();

    /// <summary>Reads <paramref name="lines"/> lines piece by piece: each as (text, ended with bare LF, piece lengths).</summary>
    private static async Task<List<(string Text, bool Bare, List<int> Pieces)>> ReadLinesAsync(MailConnection conn, int maxPiece, int lines)
    {
        var result = new List<(string, bool, List<int>)>();
        var text = new StringBuilder();
        var pieces = new List<int>();
        while (result.Count < lines)
        {
            var piece = await conn.ReadLinePieceAsync(maxPiece, null, default);
            Assert.False(piece.Closed);
            Assert.InRange(piece.Bytes.Length, 0, maxPiece);
            text.Append(Encoding.Latin1.GetString(piece.Bytes.Span));
            pieces.Add(piece.Bytes.Length);
            if (piece.EndsLine)
            {
                result.Add((text.ToString(), piece.BareLineFeed, pieces));
                text.Clear();
                pieces = [];
            }
        }

        return result;
    }

    private static void AssertLine(string text, int[] pieces, (string Text, bool Bare, List<int> Pieces) actual)
    {
        Assert.Equal((text, false), (actual.Text, actual.Bare));
        Assert.Equal(pieces, actual.Pieces);
    }

    [Fact]
    public async Task A_long_line_comes_in_bounded_pieces()
    {
        var (conn, client) = Pair();
        await client.WriteAsync("abcdefghij\r\nshort\r\n"u8.ToArray());
        var lines = await ReadLinesAsync(conn, 4, 2);
        AssertLine("abcdefghij", [4, 4, 2], lines[0]);
        AssertLine("short", [4, 1], lines[1]);
    }

    [Fact]
    public async Task A_CR_at_the_end_of_a_piece_waits_for_the_next_so_CRLF_is_never_split()
    {
        var (conn, client) = Pair();
        // "abc\r" fills a piece of 4 exactly; the CR is held back and pairs with the LF.
        await client.WriteAsync("abc\r\n"u8.ToArray());
        await client.WriteAsync("abcd\r\n"u8.ToArray());
        var lines = await ReadLinesAsync(conn, 4, 2);
        AssertLine("abc", [3], lines[0]);
        AssertLine("abcd", [4, 0], lines[1]);
    }

    [Fact]
    public async Task Bare_CR_and_bare_LF_survive_piece_boundaries()
    {
        var (conn, client) = Pair();
        await client.WriteAsync("abc\rdefgh\nz\r\n"u8.ToArray());
        var lines = await ReadLinesAsync(conn, 4, 2);
        Assert.Equal("abc\rdefgh", lines[0].Text);
        Assert.True(lines[0].Bare);
        Assert.Equal(("z", false), (lines[1].Text, lines[1].Bare));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(7)]
    [InlineData(64 * 1024)]
    public async Task Pieces_reassemble_to_the_lines_ReadLineAsync_sees(int maxPiece)
    {
        string input = "one\r\n\r\n.\r\nx\ry\r\n\r\r\nlonger line of text\nbare\r\rend\r\n" + new string('q', 70_000) + "\r\n";
        var bytes = Encoding.ASCII.GetBytes(input);
        var (reference, referenceClient) = Pair();
        var (conn, client) = Pair();
        var writes = Task.WhenAll(referenceClient.WriteAsync(bytes).AsTask(), OneByteThenRestAsync(client, bytes));
        var expected = new List<(string, bool)>();
        for (int i = 0; i < 8; i++)
        {
            var line = await reference.ReadLineAsync(100_000, default);
            expected.Add((Encoding.Latin1.GetString(line.Bytes.Span), line.BareLineFeed));
        }

        var actual = await ReadLinesAsync(conn, maxPiece, 8);
        Assert.Equal(expected, actual.Select(l => (l.Text, l.Bare)).ToList());
        await writes;
    }

    /// <summary>The first bytes one at a time, so pieces also meet lines that are still arriving.</summary>
    private static async Task OneByteThenRestAsync(Stream client, byte[] bytes)
    {
        for (int i = 0; i < 40; i++)
        {
            await client.WriteAsync(bytes.AsMemory(i, 1));
            await client.FlushAsync();
        }

        await client.WriteAsync(bytes.AsMemory(40));
    }

    [Fact]
    public async Task Closing_mid_line_reports_Closed()
    {
        var (conn, client) = Pair();
        await client.WriteAsync("partial"u8.ToArray());
        client.Dispose();
        Assert.True((await conn.ReadLinePieceAsync(100, null, default)).Closed);
    }
}
