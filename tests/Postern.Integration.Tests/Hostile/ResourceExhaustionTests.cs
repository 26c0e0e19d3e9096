using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Postern.Integration.Tests.Support;

namespace Postern.Integration.Tests.Hostile;

/// <summary>
/// Issue 5 point 7: slowloris at every stage, clients that never read, idle-connection and
/// connect floods. Timeouts are set short with --Limits/--Smtp/--Imap switches.
/// </summary>
public sealed class ResourceExhaustionTests : IAsyncLifetime
{
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(8);
    private PosternServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await PosternServer.StartNewAsync([
            "--Limits:TlsHandshakeTimeout=00:00:02", "--Limits:WriteTimeout=00:00:02", "--Limits:MaxConnectionsPerAddress=50",
            "--Smtp:PreAuthTimeout=00:00:02", "--Smtp:CommandTimeout=00:00:02", "--Smtp:MinDataRate=1000", "--Limits:TransferGracePeriod=00:00:02",
            "--Imap:PreAuthTimeout=00:00:02", "--Imap:AuthenticatedTimeout=00:00:05",
            // The IMAP idle/write timeout is logged at Debug; the never-reading test waits for it.
            "--Logging:LogLevel:Postern.Imap.ImapHandler=Debug"]);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static void ClosedInTime(TimeSpan? took, string stage)
    {
        Assert.True(took is not null, $"{stage}: the server kept the connection open past {Bound.TotalSeconds} s");
        Assert.True(took >= Short - TimeSpan.FromMilliseconds(300), $"{stage}: closed after {took}, before the timeout");
    }

    [Fact]
    public async Task A_stalled_tls_handshake_is_dropped_after_the_handshake_timeout()
    {
        await using var silent = await RawClient.ConnectAsync(_server, 993);
        ClosedInTime(await silent.TimeUntilClosedAsync(Bound), "silent on 993");

        // A TLS record header promising a ClientHello that never comes.
        await using var partial = await RawClient.ConnectAsync(_server, 465);
        await partial.SendBytesAsync([0x16, 0x03, 0x01, 0x02, 0x00, 0x01]);
        ClosedInTime(await partial.TimeUntilClosedAsync(Bound), "partial ClientHello on 465");
    }

    [Fact]
    public async Task A_command_line_trickled_a_byte_at_a_time_ends_at_the_line_deadline()
    {
        await using var c = await RawClient.ConnectAsync(_server, 25);
        Assert.StartsWith("220", await c.ReadLineAsync());
        var sw = Stopwatch.StartNew();
        var closed = c.TimeUntilClosedAsync(Bound);
        // One byte every 300 ms: each read is well inside the 2 s timeout, the line never ends.
        while (!closed.IsCompleted && sw.Elapsed < Bound)
        {
            try
            {
                await c.SendAsync("E");
            }
            catch (IOException)
            {
                break;
            }

            await Task.WhenAny(closed, Task.Delay(300));
        }

        ClosedInTime(await closed, "trickled SMTP command");
    }

    [Fact]
    public async Task Data_that_stalls_mid_message_times_out_and_stores_nothing()
    {
        await using var c = await RawClient.ConnectAsync(_server, 25);
        Assert.StartsWith("220", await c.ReadLineAsync());
        await c.SendLineAsync("EHLO stall.test");
        Assert.StartsWith("250 ", (await c.ReadUntilAsync("250 "))[^1]);
        await c.SendLineAsync("MAIL FROM:<x@remote.test>");
        Assert.StartsWith("250", await c.ReadLineAsync());
        await c.SendLineAsync($"RCPT TO:<{ServerFixture.User("erin")}>");
        Assert.StartsWith("250", await c.ReadLineAsync());
        await c.SendLineAsync("DATA");
        Assert.StartsWith("354", await c.ReadLineAsync());
        await c.SendAsync("Subject: stalled\r\n\r\nhalf a li");
        ClosedInTime(await c.TimeUntilClosedAsync(Bound), "stalled DATA");

        var imap = await RawClient.ConnectAsync(_server, 993, implicitTls: true);
        await using (imap)
        {
            await imap.ReadLineAsync();
            await imap.SendLineAsync($"a LOGIN \"{ServerFixture.User("erin")}\" \"{ServerFixture.Password}\"");
            Assert.StartsWith("a OK", (await imap.ReadUntilAsync("a "))[^1]);
            await imap.SendLineAsync("b STATUS INBOX (MESSAGES)");
            Assert.Contains("(MESSAGES 0)", (await imap.ReadUntilAsync("* STATUS"))[^1]);
        }
    }

    [Fact]
    public async Task Data_trickled_in_short_lines_is_cut_off_by_the_minimum_data_rate()
    {
        await using var c = await RawClient.ConnectAsync(_server, 25);
        Assert.StartsWith("220", await c.ReadLineAsync());
        await c.SendLineAsync("EHLO trickle.test");
        Assert.StartsWith("250 ", (await c.ReadUntilAsync("250 "))[^1]);
        await c.SendLineAsync("MAIL FROM:<x@remote.test>");
        Assert.StartsWith("250", await c.ReadLineAsync());
        await c.SendLineAsync($"RCPT TO:<{ServerFixture.User("erin")}>");
        Assert.StartsWith("250", await c.ReadLineAsync());
        await c.SendLineAsync("DATA");
        Assert.StartsWith("354", await c.ReadLineAsync());

        // A short line every 300 ms: every line is well inside the 2 s line timeout, but 10 octets per
        // 300 ms is far below 1000 octets/s, so DATA must end at about 2 s + size/rate.
        var sw = Stopwatch.StartNew();
        string? reply = null;
        var replyTask = c.ReadLineAsync(Bound);
        while (!replyTask.IsCompleted && sw.Elapsed < Bound)
        {
            try
            {
                await c.SendAsync("trickle\r\n");
            }
            catch (IOException)
            {
                break;
            }

            await Task.WhenAny(replyTask, Task.Delay(300));
        }

        reply = await replyTask;
        Assert.True(reply is not null && reply.StartsWith("421 4.4.2", StringComparison.Ordinal), $"after {sw.Elapsed} got: {reply ?? "(nothing)"}");
        Assert.True(sw.Elapsed < Bound, $"DATA trickle lasted {sw.Elapsed}");
    }

    [Fact]
    public async Task An_imap_literal_that_stalls_times_out()
    {
        await using var c = await RawClient.ConnectAsync(_server, 993, implicitTls: true);
        Assert.StartsWith("* OK", await c.ReadLineAsync());
        await c.SendLineAsync("a LOGIN {20}");
        Assert.StartsWith("+", await c.ReadLineAsync());
        await c.SendAsync("alice@");
        ClosedInTime(await c.TimeUntilClosedAsync(Bound), "stalled IMAP literal");
    }

    [Fact]
    public async Task A_client_that_never_reads_is_cut_off_by_the_write_timeout_and_others_are_served()
    {
        // A 2 MB message for alice, then FETCH it over and over without reading a byte.
        await using var c = await RawClient.ConnectAsync(_server, 993, implicitTls: true, receiveBufferSize: 4096);
        Assert.StartsWith("* OK", await c.ReadLineAsync());
        await c.SendLineAsync($"a LOGIN \"{ServerFixture.User("alice")}\" \"{ServerFixture.Password}\"");
        Assert.StartsWith("a OK", (await c.ReadUntilAsync("a "))[^1]);
        var body = new StringBuilder("Subject: big\r\n\r\n");
        while (body.Length < 2_000_000)
        {
            body.Append(new string('x', 998)).Append("\r\n");
        }

        var bytes = Encoding.ASCII.GetBytes(body.ToString());
        await c.SendLineAsync($"b APPEND INBOX {{{bytes.Length}}}");
        Assert.StartsWith("+", await c.ReadLineAsync());
        await c.SendBytesAsync(bytes);
        await c.SendLineAsync("");
        Assert.StartsWith("b OK", (await c.ReadUntilAsync("b "))[^1]);
        await c.SendLineAsync("c SELECT INBOX");
        Assert.StartsWith("c OK", (await c.ReadUntilAsync("c "))[^1]);

        var commands = string.Concat(Enumerable.Range(0, 20).Select(i => $"f{i} FETCH 1 BODY.PEEK[]\r\n"));
        await c.SendAsync(commands);
        // 40 MB of replies are due; the socket buffers hold a few. Without a write timeout the session
        // would wait for us forever (we do not read until it gives up).
        await _server.WaitForLogAsync("IMAP session idle for too long", TimeSpan.FromSeconds(30));
        long received = 0;
        var buffer = new byte[65536];
        using (var drain = new CancellationTokenSource(TimeSpan.FromSeconds(20)))
        {
            var stream = c.Tcp.GetStream();
            int n;
            try
            {
                while ((n = await stream.ReadAsync(buffer, drain.Token)) > 0)
                {
                    received += n;
                }
            }
            catch (IOException)
            {
                // Reset: the server is gone from this connection.
            }
        }

        Assert.True(received < 20_000_000, $"received {received} bytes: the server kept writing to a client that did not read");

        await using var other = await RawClient.ConnectAsync(_server, 143, from: "127.0.0.2");
        Assert.StartsWith("* OK", await other.ReadLineAsync(TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public async Task A_thousand_idle_connections_and_a_connect_flood_leave_another_address_served_promptly()
    {
        var idle = new List<TcpClient>();
        try
        {
            // 20 addresses x 50 (the per-address cap) = 1000 idle POP3 connections, plus 10 over the cap that must be refused.
            for (int a = 0; a < 20; a++)
            {
                var batch = Enumerable.Range(0, 50).Select(async _ =>
                {
                    var t = new TcpClient(new IPEndPoint(IPAddress.Parse($"127.0.3.{a + 1}"), 0));
                    await t.ConnectAsync(IPAddress.Loopback, _server.Port(110));
                    return t;
                });
                idle.AddRange(await Task.WhenAll(batch));
            }

            var over = new List<RawClient>();
            for (int i = 0; i < 10; i++)
            {
                over.Add(await RawClient.ConnectAsync(_server, 110, from: "127.0.3.1"));
            }

            foreach (var o in over)
            {
                Assert.Null(await o.ReadLineAsync(TimeSpan.FromSeconds(5)));
                await o.DisposeAsync();
            }

            // Connect flood: 1000 connect-and-drop from one more address.
            for (int i = 0; i < 1000; i++)
            {
                using var t = new TcpClient(new IPEndPoint(IPAddress.Parse("127.0.4.1"), 0));
                await t.ConnectAsync(IPAddress.Loopback, _server.Port(110));
            }

            var sw = Stopwatch.StartNew();
            await using var fresh = await RawClient.ConnectAsync(_server, 110, from: "127.0.0.2");
            Assert.StartsWith("+OK", await fresh.ReadLineAsync(TimeSpan.FromSeconds(5)));
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(2), $"greeting for another address took {sw.Elapsed}");
        }
        finally
        {
            idle.ForEach(t => t.Dispose());
        }
    }
}

/// <summary>Running out of file descriptors: the server backs off without spinning and recovers.</summary>
public sealed class FileDescriptorExhaustionTests : IAsyncLifetime
{
    private PosternServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = new PosternServer();
        await _server.InitAsync();
        await _server.StartAsync(["--Limits:MaxConnectionsPerAddress=1000", "--Limits:AcceptBackoff=00:00:00.200"], fileLimit: 512);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task At_the_descriptor_limit_the_server_backs_off_without_burning_cpu_and_recovers()
    {
        var held = new List<TcpClient>();
        try
        {
            for (int i = 0; i < 400; i++)
            {
                var t = new TcpClient(new IPEndPoint(IPAddress.Loopback, 0));
                held.Add(t);
                try
                {
                    await t.ConnectAsync(IPAddress.Loopback, _server.Port(110));
                }
                catch (SocketException)
                {
                    // The backlog is full too: the server is well past its descriptor limit.
                    break;
                }
            }

            // 512 descriptors, some 170 taken by the runtime, carry about 140 connections; the rest are refused
            // at accept, before the runtime itself runs out of descriptors (which used to abort the process
            // with "Out of memory.").
            await _server.WaitForLogAsync("The open-files limit (512) carries only", TimeSpan.FromSeconds(5));
            await _server.WaitForLogAsync("connection limit reached", TimeSpan.FromSeconds(20));
            Assert.False(_server.HasExited, "the server died at the descriptor limit:\n" + _server.Log);
            var cpu0 = _server.CpuTime();
            var wall = Stopwatch.StartNew();
            await Task.Delay(TimeSpan.FromSeconds(3));
            var cpu = _server.CpuTime() - cpu0;
            Assert.False(_server.HasExited, "the server died at the descriptor limit:\n" + _server.Log);
            Assert.True(cpu < wall.Elapsed * 0.25, $"at the descriptor limit the server used {cpu.TotalSeconds:0.00} s CPU in {wall.Elapsed.TotalSeconds:0.0} s:\n{_server.Log}");
        }
        finally
        {
            held.ForEach(t => t.Dispose());
        }

        // Descriptors freed: new clients are served again.
        var sw = Stopwatch.StartNew();
        while (true)
        {
            await using var c = await RawClient.ConnectAsync(_server, 110, from: "127.0.0.2");
            string? greeting;
            try
            {
                greeting = await c.ReadLineAsync(TimeSpan.FromSeconds(3));
            }
            catch (TimeoutException)
            {
                greeting = null; // not served yet: try again
            }

            if (greeting is not null && greeting.StartsWith("+OK", StringComparison.Ordinal))
            {
                break;
            }

            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(30), "the server did not recover after descriptors were freed:\n" + _server.Log);
        }
    }
}

/// <summary>Limits that would switch a defence off are refused at start with a sentence naming the key.</summary>
public sealed class LimitConfigurationTests
{
    [Theory]
    [InlineData("--Limits:WriteTimeout=00:00:00", "Limits:WriteTimeout")]
    [InlineData("--Smtp:CommandTimeout=-00:00:01", "Smtp:CommandTimeout")]
    [InlineData("--Auth:AccountFailureThreshold=0", "Auth:AccountFailureThreshold")]
    [InlineData("--Smtp:MaxRecipients=0", "Smtp:MaxRecipients")]
    [InlineData("--Imap:JunkCommandWindow=00:00:00", "Imap:JunkCommandWindow")]
    [InlineData("--Limits:TlsHandshakeTimeout=soon", "Limits")]
    [InlineData("--Limits:PreLoginTimeout=00:00:00", "Limits:PreLoginTimeout")]
    [InlineData("--Limits:MaxNewConnectionsPerAddressPerMinute=-1", "Limits:MaxNewConnectionsPerAddressPerMinute")]
    public async Task A_bad_limit_stops_serve_with_a_clear_error(string setting, string key)
    {
        string dir = Path.Combine(Path.GetTempPath(), "postern-badlimit-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var r = await PosternCli.RunAsync(dir, null, "init", "--hostname", "localhost");
            Assert.True(r.ExitCode == 0, r.ToString());
            r = await PosternCli.RunAsync(dir, null, "serve", "--port-offset", ServerFixture.FindFreeOffset().ToString(), "--bind", "127.0.0.1", setting);
            Assert.NotEqual(0, r.ExitCode);
            Assert.Contains(key, r.All);
            Assert.DoesNotContain("Press Ctrl+C", r.StdOut);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
