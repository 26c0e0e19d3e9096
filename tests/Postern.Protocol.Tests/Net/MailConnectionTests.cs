using System.Net;
using System.Net.Security;
using System.Text;
using Postern.Net;
using Postern.Protocol.Tests.Support;
using Xunit;

namespace Postern.Protocol.Tests.Net;

/// <summary>The connection layer's reader: limits at the read, bare LF reported, STARTTLS drops pipelined bytes.</summary>
public sealed class MailConnectionTests
{
    internal static (MailConnection Server, Stream Client) Pair()
    {
        var (server, client) = DuplexStream.CreatePair();
        var endpoint = new EndpointInfo("test", MailProtocol.Imap, IPAddress.Loopback, 0, TlsMode.StartTls);
        return (new MailConnection(server, endpoint, null, TestServer.Tls) { ReadTimeout = TimeSpan.FromSeconds(10) }, client);
    }

    [Fact]
    public async Task Lines_end_at_CRLF_and_a_bare_LF_is_reported()
    {
        var (conn, client) = Pair();
        await client.WriteAsync("one\r\ntwo\nthree\r\n"u8.ToArray());
        var a = await conn.ReadLineAsync(100, default);
        Assert.Equal(("one", false), (a.Text, a.BareLineFeed));
        var b = await conn.ReadLineAsync(100, default);
        Assert.Equal(("two", true), (b.Text, b.BareLineFeed));
        var c = await conn.ReadLineAsync(100, default);
        Assert.Equal(("three", false), (c.Text, c.BareLineFeed));
    }

    [Fact]
    public async Task A_line_split_into_one_byte_writes_is_reassembled()
    {
        var (conn, client) = Pair();
        var read = conn.ReadLineAsync(100, default).AsTask();
        foreach (var b in "a NOOP\r\n"u8.ToArray())
        {
            await client.WriteAsync(new[] { b });
            await client.FlushAsync();
        }

        Assert.Equal("a NOOP", (await read).Text);
    }

    [Fact]
    public async Task An_over_long_line_is_reported_and_skipped_and_the_next_line_is_read_normally()
    {
        var (conn, client) = Pair();
        await client.WriteAsync(Encoding.ASCII.GetBytes(new string('x', 5000) + "\r\nnext\r\n"));
        var tooLong = await conn.ReadLineAsync(1000, default);
        Assert.Equal(LineStatus.TooLong, tooLong.Status);
        var next = await conn.ReadLineAsync(1000, default);
        Assert.Equal((LineStatus.Line, "next"), (next.Status, next.Text));
    }

    [Theory]
    [InlineData("\r\n", false)]
    [InlineData("\n", true)]
    public async Task An_over_long_line_keeps_its_first_bytes_and_says_how_it_ended(string ending, bool bare)
    {
        var (conn, client) = Pair();
        // Long enough to be dropped across several reads, not just within one buffer.
        // The pipe holds less than the line, so write while the connection reads.
        var write = client.WriteAsync(Encoding.ASCII.GetBytes("tag1 " + new string('x', 100_000) + ending + "next\r\n")).AsTask();
        var tooLong = await conn.ReadLineAsync(1000, default);
        Assert.Equal(LineStatus.TooLong, tooLong.Status);
        Assert.Equal(bare, tooLong.BareLineFeed);
        Assert.StartsWith("tag1 xxx", tooLong.Text);
        Assert.Equal(MailConnection.TooLongPrefixLength, tooLong.Bytes.Length);
        Assert.Equal("next", (await conn.ReadLineAsync(1000, default)).Text);
        await write;
    }

    [Fact]
    public async Task The_limit_counts_the_line_ending()
    {
        var (conn, client) = Pair();
        await client.WriteAsync(Encoding.ASCII.GetBytes(new string('x', 998) + "\r\n" + new string('y', 999) + "\r\n"));
        Assert.Equal(LineStatus.Line, (await conn.ReadLineAsync(1000, default)).Status);
        Assert.Equal(LineStatus.TooLong, (await conn.ReadLineAsync(1000, default)).Status);
    }

    [Fact]
    public async Task Closing_mid_line_reports_Closed()
    {
        var (conn, client) = Pair();
        await client.WriteAsync("partial"u8.ToArray());
        client.Dispose();
        Assert.Equal(LineStatus.Closed, (await conn.ReadLineAsync(100, default)).Status);
    }

    [Fact]
    public async Task A_silent_peer_times_out()
    {
        var (conn, _) = Pair();
        conn.ReadTimeout = TimeSpan.FromMilliseconds(200);
        await Assert.ThrowsAsync<IdleTimeoutException>(async () => await conn.ReadLineAsync(100, default));
    }

    [Fact]
    public async Task StartTls_discards_bytes_pipelined_after_the_command()
    {
        var (conn, client) = Pair();
        await client.WriteAsync("STARTTLS\r\nINJECTED\r\n"u8.ToArray());
        Assert.Equal("STARTTLS", (await conn.ReadLineAsync(100, default)).Text);
        var upgrade = conn.StartTlsAsync(default);
        var ssl = new SslStream(client, false, (_, _, _, _) => true);
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "mail.test" });
        await upgrade;
        Assert.Equal(10, conn.DiscardedAtUpgrade);
        Assert.True(conn.IsTls);
        await ssl.WriteAsync("AFTER\r\n"u8.ToArray());
        await ssl.FlushAsync();
        Assert.Equal("AFTER", (await conn.ReadLineAsync(100, default)).Text);
    }

    [Fact]
    public async Task Compression_deflates_both_ways_after_the_uncompressed_reply()
    {
        var (conn, client) = Pair();
        await client.WriteAsync("a COMPRESS DEFLATE\r\n"u8.ToArray());
        Assert.Equal("a COMPRESS DEFLATE", (await conn.ReadLineAsync(100, default)).Text);
        conn.WriteLine("a OK DEFLATE active");
        await conn.StartCompressionAsync(default);
        Assert.True(conn.IsCompressed);

        // The reply went out in plaintext; everything after it is deflated.
        var plain = new byte[21];
        await client.ReadExactlyAsync(plain);
        Assert.Equal("a OK DEFLATE active\r\n", Encoding.ASCII.GetString(plain));
        var toServer = new System.IO.Compression.DeflateStream(client, System.IO.Compression.CompressionLevel.Optimal, leaveOpen: true);
        await toServer.WriteAsync("b NOOP\r\n"u8.ToArray());
        await toServer.FlushAsync();
        Assert.Equal("b NOOP", (await conn.ReadLineAsync(100, default)).Text);

        conn.WriteLine("b OK " + new string('z', 1000));
        await conn.FlushAsync(default);
        var fromServer = new System.IO.Compression.DeflateStream(client, System.IO.Compression.CompressionMode.Decompress, leaveOpen: true);
        var line = new List<byte>();
        var one = new byte[1];
        while (line.Count == 0 || line[^1] != (byte)'\n')
        {
            Assert.Equal(1, await fromServer.ReadAsync(one));
            line.Add(one[0]);
        }

        Assert.Equal("b OK " + new string('z', 1000) + "\r\n", Encoding.ASCII.GetString([.. line]));
    }

    [Fact]
    public async Task Only_TLS_1_2_and_1_3_are_accepted()
    {
        var (conn, client) = Pair();
        var upgrade = conn.StartTlsAsync(default);
        var ssl = new SslStream(client, false, (_, _, _, _) => true);
        // The client offers TLS 1.1 only; the server must refuse the handshake.
#pragma warning disable SYSLIB0039 // Deliberately obsolete: this test proves it is refused.
        var clientHandshake = ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "mail.test",
            EnabledSslProtocols = System.Security.Authentication.SslProtocols.Tls11,
        });
#pragma warning restore SYSLIB0039
        await Assert.ThrowsAnyAsync<Exception>(() => clientHandshake);
        await Assert.ThrowsAnyAsync<Exception>(() => upgrade);
        Assert.False(conn.IsTls);
    }
}
