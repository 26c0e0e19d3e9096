using System.Text;
using Postern.Storage;
using Xunit;

namespace Postern.Protocol.Tests.Imap;

/// <summary>
/// SORT, THREAD and header SEARCH read header blocks only: the store's message streams are
/// counted, and large bodies must stay unread.
/// </summary>
public class HeaderOnlyReadTests
{
    private const int Count = 40;
    private const int BodySize = 256 * 1024;

    [Fact]
    public async Task Sort_thread_and_header_search_leave_bodies_unread()
    {
        var memory = new MemoryMailStore();
        var store = RecordingStore.Wrap(memory);
        await using var f = await ImapFixture.LoggedInAsync(store: store.Store);
        string body = new string('b', BodySize);
        for (int i = 0; i < Count; i++)
        {
            string m = $"From: u{i}@example.org\r\nTo: alice@example.org\r\nMessage-ID: <m{i}@x>\r\n"
                + (i > 0 ? $"In-Reply-To: <m{i - 1}@x>\r\n" : "")
                + $"Subject: {(i % 2 == 0 ? "even" : "odd")} {i}\r\nDate: Mon, 02 Feb 2026 10:00:{i % 60:00} +0000\r\n\r\n{body}\r\n";
            await memory.AppendAsync(f.Inbox.Id, new MemoryStream(Encoding.UTF8.GetBytes(m)), MessageFlags.None, DateTimeOffset.UnixEpoch.AddDays(i));
        }

        Assert.StartsWith("b OK", (await f.CommandAsync("b", "SELECT INBOX"))[^1]);

        // Header blocks are a few hundred bytes; one read buffer (8 KiB) each is the most allowed.
        long limit = Count * 8192L;
        async Task<List<string>> Run(string tag, string command, bool bodies = false)
        {
            long before = store.MessageBytesRead;
            var lines = await f.CommandAsync(tag, command);
            long read = store.MessageBytesRead - before;
            Assert.True(bodies ? read >= (long)Count * BodySize : read <= limit, $"{command}: {read} bytes read");
            return lines;
        }

        Assert.StartsWith("* SORT 1 11 13 ", (await Run("c", "SORT (SUBJECT) UTF-8 ALL"))[0]);
        Assert.StartsWith("* THREAD (1 2 3 4 ", (await Run("d", "THREAD REFERENCES UTF-8 ALL"))[0]);
        Assert.StartsWith("* THREAD (1)(3)(5)", (await Run("e", "THREAD ORDEREDSUBJECT UTF-8 SUBJECT even"))[0]);
        Assert.Equal("* SEARCH 8", (await Run("g", "SEARCH SUBJECT \"odd 7\" FROM u7"))[0]);
        // ARRIVAL and SIZE need no message at all.
        long beforeArrival = store.MessageBytesRead;
        Assert.StartsWith("* SORT 40 39 ", (await Run("h", "SORT (REVERSE ARRIVAL SIZE) UTF-8 ALL"))[0]);
        Assert.Equal(beforeArrival, store.MessageBytesRead);
        // The counter does see bodies: BODY reads them all.
        Assert.Equal("* SEARCH", (await Run("i", "SEARCH BODY nowhere", bodies: true))[0]);
    }
}
