using System.Net;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Postern.Imap;
using Postern.Imap.Commands;
using Postern.Imap.Parsing;
using Postern.Imap.Session;
using Postern.Net;
using Postern.Protocol.Tests.Support;
using Postern.Storage;
using Xunit;

namespace Postern.Protocol.Tests.Imap;

/// <summary>
/// IMAP4rev2 sessions get ESEARCH for every SEARCH (RFC 9051 6.4.4). The session is built
/// directly with IMAP4rev2 enabled, so this does not depend on how ENABLE turns it on.
/// </summary>
public class Rev2SearchTests
{
    private static async Task<List<string>> RunAsync(ImapExtensions enabled, params string[] commands)
    {
        var (store, auth, alice) = await TestServer.CreateStoreAsync();
        var inbox = (await store.GetMailboxAsync(alice.Id, "INBOX"))!;
        for (int i = 1; i <= 4; i++)
        {
            await store.AppendAsync(inbox.Id, new MemoryStream(Encoding.UTF8.GetBytes($"Subject: m{i}\r\n\r\nx\r\n")), i % 2 == 0 ? MessageFlags.Seen : MessageFlags.None, DateTimeOffset.UnixEpoch);
        }

        var (server, client) = DuplexStream.CreatePair();
        var endpoint = new EndpointInfo("test", MailProtocol.Imap, IPAddress.Loopback, 0, TlsMode.StartTls);
        await using var connection = new MailConnection(server, endpoint, null, null);
        var session = new ImapSession(connection, store, auth, new ServerIdentity("mail.test"), new ImapOptions(), NullLogger.Instance);
        session.LoggedIn(alice);
        session.Select(new SelectedMailbox(inbox, readOnly: false, await store.ListMessagesAsync(inbox.Id), 16));
        session.Enabled = enabled;
        await using var reader = TestServer.Client(client);
        var lines = new List<string>();
        foreach (string text in commands)
        {
            var parsed = ImapParser.Parse(Encoding.UTF8.GetBytes(text + "\r\n"), 1024, 16);
            Assert.Equal(ParseStatus.Complete, parsed.Status);
            var command = parsed.Command!;
            await CommandTable.Find(command.Name)!.Command.ExecuteAsync(session, command, CancellationToken.None);
            await connection.FlushAsync(CancellationToken.None);
            lines.AddRange(await reader.ReadUntilAsync(command.Tag + " "));
        }

        session.Close();
        return lines;
    }

    [Fact]
    public async Task Rev2_search_answers_with_esearch_all()
    {
        Assert.Equal(
            [
                "* ESEARCH (TAG \"a\") ALL 2,4", "a OK SEARCH completed",
                "* ESEARCH (TAG \"b\") UID ALL 1:4", "b OK UID SEARCH completed",
                "* ESEARCH (TAG \"c\")", "c OK SEARCH completed",
                "* ESEARCH (TAG \"d\") COUNT 2", "d OK SEARCH completed",
            ],
            await RunAsync(ImapExtensions.Imap4Rev2, "a SEARCH SEEN", "b UID SEARCH ALL", "c SEARCH KEYWORD none", "d SEARCH RETURN (COUNT) UNSEEN"));
    }

    [Fact]
    public async Task Rev1_search_keeps_the_search_response()
    {
        Assert.Equal(["* SEARCH 2 4", "a OK SEARCH completed"], await RunAsync(ImapExtensions.None, "a SEARCH SEEN"));
    }

    [Fact]
    public async Task Enable_imap4rev2_then_search_over_the_wire()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        await f.AppendAsync(ImapFixture.Simple, MessageFlags.Seen);
        await f.AppendAsync(ImapFixture.Simple);
        Assert.Equal(["* ENABLED IMAP4rev2", "e OK ENABLE completed"], await f.CommandAsync("e", "ENABLE IMAP4rev2"));
        Assert.StartsWith("s OK", (await f.CommandAsync("s", "SELECT INBOX"))[^1]);
        Assert.Equal(["* ESEARCH (TAG \"a\") ALL 1", "a OK SEARCH completed"], await f.CommandAsync("a", "SEARCH SEEN"));
        Assert.Equal(["* ESEARCH (TAG \"b\") UID COUNT 2", "b OK UID SEARCH completed"], await f.CommandAsync("b", "UID SEARCH RETURN (COUNT) ALL"));
    }
}
