using Postern.Integration.Tests.Support;

namespace Postern.Integration.Tests.Imap;

/// <summary>
/// Issue 9 point 4, reproduced as reported against the real server and its SQLite store with a raw
/// client: a 65-character keyword, or a 70th keyword, used to get NO [SERVERBUG] and an error in the
/// log because IMAP accepted up to 100 while the store refused more than 64. Now NO [LIMIT]
/// (RFC 5530 3) and nothing logged as an error.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class StoreLimitTests(ServerFixture server)
{
    private static string Keywords(int from, int count) => string.Join(' ', Enumerable.Range(from, count).Select(i => "k" + i));

    private static async Task<string> CommandAsync(RawClient c, string tag, string command)
    {
        await c.SendLineAsync(tag + " " + command);
        return (await c.ReadUntilAsync(tag + " "))[^1];
    }

    [Fact]
    public async Task A_65_character_keyword_and_a_70th_keyword_get_NO_LIMIT_and_log_no_error()
    {
        int logStart = server.Log.Length;
        await using var c = await RawClient.ConnectAsync(server, 993, implicitTls: true);
        Assert.StartsWith("* OK", await c.ReadLineAsync());
        Assert.StartsWith("a OK", await CommandAsync(c, "a", $"LOGIN {ServerFixture.User("erin")} \"{ServerFixture.Password}\""));
        string box = "Limits-" + Guid.NewGuid().ToString("N")[..8];
        Assert.StartsWith("b OK", await CommandAsync(c, "b", "CREATE " + box));
        const string message = "Subject: limits\r\n\r\nbody\r\n";
        await c.SendLineAsync($"c APPEND {box} {{{message.Length}+}}\r\n{message}");
        Assert.StartsWith("c OK [APPENDUID", (await c.ReadUntilAsync("c "))[^1]);
        Assert.StartsWith("d OK", await CommandAsync(c, "d", "SELECT " + box));

        Assert.Equal("e NO [LIMIT] A keyword may have at most 64 characters.", await CommandAsync(c, "e", $"UID STORE 1 +FLAGS ({new string('x', 65)})"));
        Assert.Equal("f NO [LIMIT] A message may have at most 64 keywords.", await CommandAsync(c, "f", $"UID STORE 1 +FLAGS ({Keywords(1, 70)})"));

        // One keyword at a time: the first 64 are stored, the 65th to the 70th are refused by the store.
        Assert.Equal("g OK UID STORE completed", await CommandAsync(c, "g", $"UID STORE 1 +FLAGS.SILENT ({Keywords(1, 64)})"));
        for (int i = 65; i <= 70; i++)
        {
            Assert.Equal($"h{i} NO [LIMIT] A message may have at most 64 keywords.", await CommandAsync(c, "h" + i, $"UID STORE 1 +FLAGS (k{i})"));
        }

        // The message keeps exactly the 64, and the session goes on.
        await c.SendLineAsync("i UID FETCH 1 FLAGS");
        var fetch = await c.ReadUntilAsync("i ");
        Assert.Equal("i OK UID FETCH completed", fetch[^1]);
        Assert.Contains(" k64)", fetch[0]);
        Assert.Equal(64, fetch[0].Split(' ').Count(w => w.TrimStart('(').StartsWith('k')));
        Assert.DoesNotContain(" k65", fetch[0]);
        Assert.StartsWith("j OK", await CommandAsync(c, "j", "LOGOUT"));

        string log = server.Log[logStart..];
        Assert.DoesNotContain("SERVERBUG", log);
        Assert.DoesNotContain("fail:", log);
    }

    [Fact]
    public async Task An_over_long_mailbox_name_gets_NO_LIMIT()
    {
        await using var c = await RawClient.ConnectAsync(server, 993, implicitTls: true);
        Assert.StartsWith("* OK", await c.ReadLineAsync());
        Assert.StartsWith("a OK", await CommandAsync(c, "a", $"LOGIN {ServerFixture.User("erin")} \"{ServerFixture.Password}\""));
        Assert.Equal("b NO [LIMIT] A mailbox name may have at most 255 octets (UTF-8).", await CommandAsync(c, "b", $"CREATE {new string('n', 256)}"));
        Assert.Equal("c NO [LIMIT] A mailbox name may have at most 16 levels.", await CommandAsync(c, "c", "CREATE " + string.Join('/', Enumerable.Repeat("l", 17))));
        Assert.Equal("d NO [NONEXISTENT] No such mailbox", await CommandAsync(c, "d", "SELECT l"));
    }
}
