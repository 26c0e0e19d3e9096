using Postern.Imap;
using Xunit;

namespace Postern.Protocol.Tests.Imap;

/// <summary>
/// Slowloris on an IMAP literal (issue 5 point 7): every byte arrives inside the idle timeout, but
/// the literal as a whole is slower than MinLiteralRate, so the session ends instead of waiting.
/// </summary>
public sealed class LiteralRateTests
{
    [Fact]
    public async Task A_trickled_APPEND_literal_ends_the_session()
    {
        // At least 1000 octets/s after the 30 s grace period (Limits:TransferGracePeriod's default):
        // sent at ~3 octets/s the literal runs out of time at about 30 s, though it would take over
        // five minutes, and each write comes well inside the 30 s idle timeout, so only the rate rule
        // can end it. (The test must outlast the idle timeout to tell the two apart.)
        var options = new ImapOptions { AuthenticatedTimeout = TimeSpan.FromSeconds(30), MinLiteralRate = 1000 };
        await using var f = await ImapFixture.LoggedInAsync(options);
        await f.Client.SendLineAsync("a APPEND INBOX {1000}");
        Assert.StartsWith("+", await f.Client.ReadLineAsync());
        for (int i = 0; i < 120; i++)
        {
            try
            {
                await f.Client.SendBytesAsync("x"u8.ToArray());
            }
            catch (IOException)
            {
                break; // the server hung up
            }

            await Task.Delay(300);
        }

        // 36 s of trickling are over: the server must have given up on the literal by now.
        var read = f.Client.ReadLineAsync();
        Assert.True(await Task.WhenAny(read, Task.Delay(TimeSpan.FromSeconds(10))) == read, "the session was still waiting for the literal");
        string? line = await read;
        Assert.True(line is null || line.StartsWith("* BYE", StringComparison.Ordinal), $"expected BYE or a close, got: {line}");
    }
}
