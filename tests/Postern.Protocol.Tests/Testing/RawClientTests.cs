using Postern.Protocol.Tests.Support;
using Xunit;

namespace Postern.Protocol.Tests.Testing;

/// <summary>The shared raw client's deadlines and end-of-stream answers, over the in-memory pipe.</summary>
public class RawClientTests
{
    [Fact]
    public async Task A_silent_server_is_a_timeout_and_a_closed_one_is_null_or_end_of_stream()
    {
        var (server, client) = DuplexStream.CreatePair();
        await using var raw = TestServer.Client(client);
        raw.Timeout = TimeSpan.FromMilliseconds(200);
        await Assert.ThrowsAsync<TimeoutException>(() => raw.ReadLineAsync());

        await server.WriteAsync("a1 OK\r\n* partial"u8.ToArray());
        await server.FlushAsync();
        Assert.Equal(["a1 OK"], await raw.ReadUntilAsync("a1 "));
        await Assert.ThrowsAsync<TimeoutException>(() => raw.ReadUntilAsync("a2 "));

        await server.DisposeAsync();
        raw.Timeout = TimeSpan.FromSeconds(10);
        Assert.Null(await raw.ReadLineAsync());
        await Assert.ThrowsAsync<EndOfStreamException>(() => raw.ReadUntilAsync("a2 "));
        Assert.True(await raw.IsClosedAsync());
    }

    [Fact]
    public async Task Smtp_replies_read_as_their_last_line_or_all_lines()
    {
        var (server, client) = DuplexStream.CreatePair();
        await using var raw = TestServer.Client(client);
        await server.WriteAsync("250-mail.test\r\n250-PIPELINING\r\n250 SMTPUTF8\r\n250-a\r\n250 b\r\n"u8.ToArray());
        await server.FlushAsync();
        Assert.Equal(["250-mail.test", "250-PIPELINING", "250 SMTPUTF8"], await raw.ReadSmtpReplyLinesAsync());
        Assert.Equal("250 b", await raw.ReadSmtpReplyAsync());
        await server.DisposeAsync();
        Assert.Null(await raw.ReadSmtpReplyAsync());
    }
}
