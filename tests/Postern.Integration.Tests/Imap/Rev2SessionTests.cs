using MailKit.Net.Imap;
using Postern.Integration.Tests.Support;

namespace Postern.Integration.Tests.Imap;

/// <summary>
/// A session that enables IMAP4rev2 (RFC 9051) against the running server, on the wire: the
/// rev2 SELECT (no RECENT, a LIST line), ESEARCH as the only SEARCH reply, UTF-8 mailbox names,
/// STATUS DELETED; plus ID, NAMESPACE and UNSELECT through MailKit.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class Rev2SessionTests(ServerFixture server)
{
    [Fact]
    public async Task Rev2_session_gets_rev2_responses()
    {
        await using var c = await RawClient.ConnectAsync(server, 993, implicitTls: true);
        Assert.StartsWith("* OK", await c.ReadLineAsync());
        await c.SendLineAsync($"a LOGIN {ServerFixture.User("carol")} \"{ServerFixture.Password}\"");
        var login = await c.ReadUntilAsync("a ");
        Assert.StartsWith("a OK", login[^1]);
        await c.SendLineAsync("b CAPABILITY");
        Assert.Contains(await c.ReadUntilAsync("b "), l => l.StartsWith("* CAPABILITY ", StringComparison.Ordinal) && l.Contains(" IMAP4rev2") && l.Contains(" IMAP4rev1"));

        await c.SendLineAsync("c ENABLE IMAP4rev2");
        var enable = await c.ReadUntilAsync("c ");
        Assert.Equal(["* ENABLED IMAP4rev2", enable[^1]], enable);

        // Names are UTF-8 once rev2 is on (no modified UTF-7).
        string name = "Rev2-Kürbis-" + Guid.NewGuid().ToString("N")[..6];
        await c.SendLineAsync($"d CREATE \"{name}\"");
        Assert.StartsWith("d OK", (await c.ReadUntilAsync("d "))[^1]);
        foreach (var (tag, body) in new[] { ("e", "Subject: one\r\n\r\nfirst\r\n"), ("f", "Subject: two\r\n\r\nsecond\r\n") })
        {
            await c.SendAsync($"{tag} APPEND \"{name}\" {{{body.Length}+}}\r\n{body}\r\n");
            Assert.StartsWith(tag + " OK", (await c.ReadUntilAsync(tag + " "))[^1]);
        }

        await c.SendLineAsync($"g LIST \"\" \"{name}\"");
        var list = await c.ReadUntilAsync("g ");
        Assert.Contains(list, l => l.StartsWith("* LIST ", StringComparison.Ordinal) && l.EndsWith($"\"/\" \"{name}\"", StringComparison.Ordinal));

        await c.SendLineAsync($"h SELECT \"{name}\"");
        var select = await c.ReadUntilAsync("h ");
        Assert.Contains("* 2 EXISTS", select);
        Assert.DoesNotContain(select, l => l.EndsWith(" RECENT", StringComparison.Ordinal));
        Assert.Contains(select, l => l.StartsWith("* LIST (", StringComparison.Ordinal) && l.Contains(name));
        Assert.StartsWith("h OK [READ-WRITE]", select[^1]);

        await c.SendLineAsync("i SEARCH ALL");
        var search = await c.ReadUntilAsync("i ");
        Assert.Equal(["* ESEARCH (TAG \"i\") ALL 1:2", search[^1]], search);

        await c.SendLineAsync("j STORE 1 +FLAGS.SILENT (\\Deleted)");
        Assert.StartsWith("j OK", (await c.ReadUntilAsync("j "))[^1]);
        await c.SendLineAsync($"k STATUS \"{name}\" (MESSAGES DELETED)");
        var status = await c.ReadUntilAsync("k ");
        Assert.Contains($"* STATUS \"{name}\" (MESSAGES 2 DELETED 1)", status);

        await c.SendLineAsync($"l STATUS \"{name}\" (RECENT)");
        Assert.StartsWith("l BAD", (await c.ReadUntilAsync("l "))[^1]);
    }

    [Fact]
    public async Task MailKit_sees_ID_NAMESPACE_and_closes_with_UNSELECT()
    {
        using var imap = await MailKitClients.ImapAsync(server, 993, ServerFixture.User("carol"));
        Assert.True(imap.Capabilities.HasFlag(ImapCapabilities.Id));
        Assert.True(imap.Capabilities.HasFlag(ImapCapabilities.Unselect));
        Assert.True(imap.Capabilities.HasFlag(ImapCapabilities.Namespace));
        var id = await imap.IdentifyAsync(new ImapImplementation { Name = "Postern tests", Version = "1" });
        Assert.Equal("Postern", id.Name);
        Assert.Equal("/", imap.PersonalNamespaces[0].DirectorySeparator.ToString());
        var inbox = imap.Inbox;
        await inbox.OpenAsync(MailKit.FolderAccess.ReadWrite);
        // Close without expunge: MailKit sends UNSELECT when the server offers it.
        await inbox.CloseAsync(expunge: false);
        Assert.False(inbox.IsOpen);
        await imap.DisconnectAsync(true);
    }
}
