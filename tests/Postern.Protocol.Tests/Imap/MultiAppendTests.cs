using System.Text;
using Postern.Imap;
using Postern.Imap.Commands;
using Postern.Storage;
using Xunit;

namespace Postern.Protocol.Tests.Imap;

/// <summary>MULTIAPPEND (RFC 3502): several messages in one APPEND, stored all or none, APPENDUID with a UID set (RFC 4315).</summary>
public class MultiAppendTests
{
    private static int Octets(string s) => Encoding.UTF8.GetByteCount(s);

    [Fact]
    public async Task Three_messages_with_mixed_literals_get_one_appenduid_range()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        string a = ImapFixture.Simple, b = ImapFixture.Multipart, c = "Subject: third\r\n\r\nx\r\n";
        await f.Client.SendLineAsync($"m APPEND Drafts (\\Seen) {{{Octets(a)}}}");
        Assert.Equal("+ Ready for literal data", await f.Client.ReadLineAsync());
        await f.Client.SendAsync(a + $" (\\Flagged $Work) \" 5-Mar-2026 09:08:07 +0100\" {{{Octets(b)}+}}\r\n" + b + $" ~{{{Octets(c)}}}\r\n");
        Assert.Equal("+ Ready for literal data", await f.Client.ReadLineAsync());
        await f.Client.SendAsync(c + "\r\n");
        var drafts = (await f.Store.GetMailboxAsync(f.Alice.Id, "Drafts"))!;
        Assert.Equal([$"m OK [APPENDUID {drafts.UidValidity} 1:3] APPEND completed"], await f.Client.ReadUntilAsync("m "));
        var stored = await f.Store.ListMessagesAsync(drafts.Id);
        Assert.Equal([MessageFlags.Seen, MessageFlags.Flagged, MessageFlags.None], stored.Select(m => m.Flags));
        Assert.Equal(["$Work"], stored[1].Keywords);
        Assert.Equal(new DateTimeOffset(2026, 3, 5, 9, 8, 7, TimeSpan.FromHours(1)), stored[1].InternalDate);
        Assert.Equal([Octets(a), Octets(b), Octets(c)], stored.Select(m => (int)m.Size));
    }

    [Fact]
    public async Task A_refused_later_message_leaves_nothing_stored_and_its_nonsync_literal_is_skipped()
    {
        await using var f = await ImapFixture.LoggedInAsync(new ImapOptions { MaxAppendSize = 200 });
        string a = "Subject: one\r\n\r\nx\r\n";
        string big = new string('x', 201);
        await f.Client.SendAsync($"m APPEND INBOX {{{Octets(a)}+}}\r\n{a} {{{big.Length}+}}\r\n{big}\r\n");
        Assert.Equal(["m NO [TOOBIG] Message too large"], await f.Client.ReadUntilAsync("m "));
        Assert.Empty(await f.Store.ListMessagesAsync(f.Inbox.Id));

        // The skipped literal was not run as commands; the session goes on.
        Assert.Equal(["n OK NOOP completed"], await f.CommandAsync("n", "NOOP"));

        // A malformed later message is a BAD, also with nothing kept.
        await f.Client.SendAsync($"o APPEND INBOX {{{Octets(a)}+}}\r\n{a} (\\Bogus {{{Octets(a)}+}}\r\n{a}\r\n");
        var bad = await f.Client.ReadUntilAsync("o ");
        Assert.StartsWith("o BAD", bad[^1]);
        Assert.Empty(await f.Store.ListMessagesAsync(f.Inbox.Id));
        Assert.Equal(["p OK NOOP completed"], await f.CommandAsync("p", "NOOP"));
    }

    [Fact]
    public async Task A_store_failure_removes_the_messages_already_stored()
    {
        // The second of the three messages is refused by the store; the first must not stay behind.
        var store = RecordingStore.Wrap(new MemoryMailStore())
            .Fail(nameof(IMailStore.AppendAsync), new MailboxException(MailboxError.OverQuota, "full"), onCall: 2);
        await using var f = await ImapFixture.LoggedInAsync(store: store.Store);

        string a = "Subject: one\r\n\r\nx\r\n";
        await f.Client.SendAsync($"m APPEND INBOX {{{Octets(a)}+}}\r\n{a} {{{Octets(a)}+}}\r\n{a} {{{Octets(a)}+}}\r\n{a}\r\n");
        Assert.Equal(["m NO [OVERQUOTA] Quota exceeded"], await f.Client.ReadUntilAsync("m "));
        Assert.Empty(await store.Inner.ListMessagesAsync(f.Inbox.Id));
    }

    [Fact]
    public void Uid_sets_compress_runs()
    {
        Assert.Equal("4", AppendCommand.UidSet([4]));
        Assert.Equal("1:3,7,9:10", AppendCommand.UidSet([1, 2, 3, 7, 9, 10]));
    }
}
