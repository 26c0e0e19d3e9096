using System.Text;
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
        var options = new ImapOptions { AuthenticatedTimeout = TimeSpan.FromSeconds(1), MinLiteralRate = 1000 };
        await using var f = await ImapFixture.LoggedInAsync(options);
        // 1000 octets at 1000/s plus the 1 s idle timeout: 2 s allowed. Sent at ~3 octets/s, it
        // would take over five minutes; each write comes well inside the 1 s idle timeout.
        await f.Client.SendLineAsync("a APPEND INBOX {1000}");
        Assert.StartsWith("+", await f.Client.ReadLineAsync());
        var closed = WaitForByeAsync(f);
        for (int i = 0; i < 1000 && !closed.IsCompleted; i++)
        {
            try
            {
                await f.Client.SendBytesAsync("x"u8.ToArray());
            }
            catch (IOException)
            {
                break; // the server hung up
            }

            await Task.WhenAny(closed, Task.Delay(300));
            Assert.True(i < 60, "the trickled literal was still being read after 18 s");
        }

        Assert.True(await closed, "the session was not ended");
    }

    private static async Task<bool> WaitForByeAsync(ImapFixture f)
    {
        while (await f.Client.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("* BYE", StringComparison.Ordinal))
            {
                return true;
            }
        }

        return true; // closed without BYE also ends the session
    }
}
