using System.Text;
using Xunit;

namespace Postern.Protocol.Tests.Testing;

/// <summary>The line reader under the shared raw client: every split of the input, linear cost, limits.</summary>
public class LineReaderTests
{
    /// <summary>Serves fixed bytes in reads of at most <paramref name="chunk"/> bytes, like a socket under load.</summary>
    private sealed class ChunkedStream(byte[] data, int chunk) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, chunk)], ct);
    }

    private static async Task<List<string>> ReadAllAsync(LineReader reader, Stream stream)
    {
        var lines = new List<string>();
        while (await reader.ReadLineAsync(stream, default) is { } line)
        {
            lines.Add(Encoding.UTF8.GetString(line.Span));
        }

        return lines;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(4096)]
    public async Task Lines_come_out_whole_however_the_reads_split_them(int chunk)
    {
        const string text = "* OK ready\r\nbare LF\n\r\ncarriage\rinside\r\n\nlast one\r\nno line end";
        using var reader = new LineReader(initialSize: 4);
        var lines = await ReadAllAsync(reader, new ChunkedStream(Encoding.UTF8.GetBytes(text), chunk));
        Assert.Equal(["* OK ready", "bare LF", "", "carriage\rinside", "", "last one"], lines);
    }

    [Fact]
    public async Task Exact_reads_and_line_reads_take_turns_on_one_buffer()
    {
        var data = Encoding.ASCII.GetBytes("* 1 FETCH (BODY[] {5}\r\nab\ncd)\r\na OK done\r\n");
        using var reader = new LineReader(initialSize: 8);
        var stream = new ChunkedStream(data, 3);
        Assert.Equal("* 1 FETCH (BODY[] {5}", Encoding.ASCII.GetString((await reader.ReadLineAsync(stream, default))!.Value.Span));
        Assert.Equal("ab\ncd"u8.ToArray(), await reader.ReadExactlyAsync(stream, 5, default));
        Assert.Equal([")", "a OK done"], await ReadAllAsync(reader, stream));
        await Assert.ThrowsAsync<EndOfStreamException>(async () => await reader.ReadExactlyAsync(stream, 1, default));
    }

    [Fact]
    public async Task Many_short_lines_and_one_huge_line_cost_copies_in_proportion_to_the_bytes()
    {
        // 200,000 short lines in 64 KiB reads, then one 8 MB line: a reader that copies the rest of
        // its buffer per line, or grows by a fixed step, moves gigabytes here.
        var text = new StringBuilder();
        for (int i = 0; i < 200_000; i++)
        {
            text.Append("* ").Append(i).Append(" EXISTS\r\n");
        }

        text.Append('x', 8 * 1024 * 1024).Append("\r\n");
        var data = Encoding.ASCII.GetBytes(text.ToString());
        using var reader = new LineReader();
        var lines = await ReadAllAsync(reader, new ChunkedStream(data, 64 * 1024));
        Assert.Equal(200_001, lines.Count);
        Assert.Equal("* 199999 EXISTS", lines[^2]);
        Assert.Equal(8 * 1024 * 1024, lines[^1].Length);
        Assert.True(reader.BytesMoved <= 2L * data.Length, $"{reader.BytesMoved} bytes moved to read {data.Length}");
    }

    [Fact]
    public async Task A_line_past_the_limit_is_an_error_not_endless_buffering()
    {
        using var reader = new LineReader(initialSize: 16, maxLineLength: 1000);
        var stream = new ChunkedStream(Encoding.ASCII.GetBytes(new string('x', 5000) + "\r\n"), 100);
        await Assert.ThrowsAsync<InvalidDataException>(async () => await reader.ReadLineAsync(stream, default));
    }
}
