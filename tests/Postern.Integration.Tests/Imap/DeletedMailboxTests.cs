using Postern.Integration.Tests.Support;

namespace Postern.Integration.Tests.Imap;

/// <summary>
/// A mailbox deleted by another session while this one has it selected, on the real server and its
/// SQLite store: the store reads it as empty (IMailStore contract), and the session says it is gone
/// (NO [NONEXISTENT]) instead of reporting every message as expunged.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class DeletedMailboxTests(ServerFixture server)
{
    private static async Task<RawClient> LoginAsync(ServerFixture server)
    {
        var c = await RawClient.ConnectAsync(server, 993, implicitTls: true);
        Assert.StartsWith("* OK", await c.ReadLineAsync());
        await c.SendLineAsync($"a LOGIN {ServerFixture.User("erin")} \"{ServerFixture.Password}\"");
        Assert.StartsWith("a OK", (await c.ReadUntilAsync("a "))[^1]);
        return c;
    }

    [Fact]
    public async Task Noop_in_a_mailbox_another_session_deleted_is_NO_NONEXISTENT()
    {
        await using var one = await LoginAsync(server);
        await using var two = await LoginAsync(server);
        string box = "Doomed-" + Guid.NewGuid().ToString("N")[..8];
        await one.SendLineAsync($"b CREATE {box}");
        Assert.StartsWith("b OK", (await one.ReadUntilAsync("b "))[^1]);
        const string message = "Subject: doomed\r\n\r\nbody\r\n";
        await one.SendLineAsync($"c APPEND {box} {{{message.Length}+}}\r\n{message}");
        Assert.StartsWith("c OK", (await one.ReadUntilAsync("c "))[^1]);

        await two.SendLineAsync($"s SELECT {box}");
        Assert.Contains("* 1 EXISTS", await two.ReadUntilAsync("s "));
        await one.SendLineAsync($"d DELETE {box}");
        Assert.StartsWith("d OK", (await one.ReadUntilAsync("d "))[^1]);

        await two.SendLineAsync("n NOOP");
        Assert.Equal(["n NO [NONEXISTENT] No such mailbox"], await two.ReadUntilAsync("n "));
    }
}
