using System.Diagnostics;
using System.Text;
using Postern.Integration.Tests.Support;
using Xunit.Abstractions;

namespace Postern.Integration.Tests.Hostile;

/// <summary>
/// Issue 9 point 7: 100,000 pipelined NOOPs were all answered, on SMTP and on IMAP alike. Now
/// SMTP answers 100 free junk commands and 10 more counted as errors, then 421 (Postfix's
/// smtpd_junk_command_limit with its error limit), and IMAP 100, then BYE; both close, and the
/// rest of the flood is never read as commands.
/// </summary>
[Collection(CountLimitCollection.Name)]
public sealed class JunkCommandTests(CountLimitServer fixture, ITestOutputHelper output)
{
    private const int Flood = 100_000;

    /// <summary>Generous: a loaded 2-core machine; a server answering the whole flood takes far longer to be stopped by it.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(120);

    private PosternServer S => fixture.Server;

    [Fact]
    public async Task Smtp_answers_110_of_100000_pipelined_NOOPs_then_421_and_closes()
    {
        await using var smtp = await RawClient.ConnectAsync(S, 25);
        Assert.StartsWith("220 ", await smtp.ReadSmtpReplyAsync(), StringComparison.Ordinal);
        var (lines, sent) = await FloodAsync(smtp, _ => "NOOP\r\n");
        Assert.Equal([.. Enumerable.Repeat("250 2.0.0 Ok", 110), "421 4.7.0 Too many errors"], lines);
        output.WriteLine($"SMTP: {sent} NOOPs sent before the server closed");
    }

    [Fact]
    public async Task Imap_answers_100_of_100000_pipelined_NOOPs_then_BYE_and_closes()
    {
        await using var imap = await LoginAsync("flood");
        var (lines, sent) = await FloodAsync(imap, i => $"n{i} NOOP\r\n");
        Assert.Equal([.. Enumerable.Range(0, 100).Select(i => $"n{i} OK NOOP completed"), "* BYE Too many NOOP, CHECK or CAPABILITY commands without progress"], lines);
        output.WriteLine($"IMAP: {sent} NOOPs sent before the server closed");
    }

    [Fact]
    public async Task Imap_real_work_between_NOOPs_keeps_the_session()
    {
        await using var imap = await LoginAsync("flood");
        var batch = new StringBuilder();
        for (int i = 0; i < 100; i++)
        {
            batch.Append($"a{i} NOOP\r\n");
        }

        batch.Append("s SELECT INBOX\r\n");
        for (int i = 0; i < 100; i++)
        {
            batch.Append($"b{i} CHECK\r\n");
        }

        await imap.SendAsync(batch.Append("q LOGOUT\r\n").ToString());
        var (untagged, tagged) = await imap.ImapReplyAsync("q");
        Assert.Equal("q OK LOGOUT completed", tagged);
        Assert.Contains("s OK [READ-WRITE]", untagged, StringComparison.Ordinal);
        Assert.Contains("b99 OK CHECK completed", untagged, StringComparison.Ordinal);
        Assert.DoesNotContain("BYE Too many", untagged, StringComparison.Ordinal);
    }

    private Task<RawClient> LoginAsync(string user) => RawImap.LoginAsync(S, user, Bound);

    /// <summary>
    /// Sends <see cref="Flood"/> commands in chunks of 1000 while reading every reply, until the
    /// server closes (a write then fails) or all are sent; returns the replies and how many were sent.
    /// </summary>
    private static async Task<(List<string> Lines, int Sent)> FloodAsync(RawClient c, Func<int, string> command)
    {
        c.Timeout = Bound;
        using var cts = new CancellationTokenSource(Bound);
        var lines = new List<string>();
        var reader = Task.Run(async () =>
        {
            while (await c.ReadLineAsync(Bound) is { } line)
            {
                lines.Add(line);
            }
        });
        var clock = Stopwatch.StartNew();
        int sent = 0;
        try
        {
            while (sent < Flood && !reader.IsCompleted)
            {
                var chunk = new StringBuilder();
                for (int i = 0; i < 1000; i++)
                {
                    chunk.Append(command(sent + i));
                }

                await c.SendAsync(chunk.ToString());
                sent += 1000;
            }
        }
        catch (IOException)
        {
            // The server closed with our commands unread: the connection is reset under the writer.
        }

        // The reader ends when the server closes; a server that never does fails here after Bound.
        await reader.WaitAsync(cts.Token);
        Assert.True(clock.Elapsed < Bound, clock.Elapsed.ToString());
        return (lines, sent);
    }
}
