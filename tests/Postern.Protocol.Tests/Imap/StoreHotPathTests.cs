using System.Text;
using Postern.Imap.Session;
using Postern.Protocol.Tests.Support;
using Postern.Storage;
using Xunit;

namespace Postern.Protocol.Tests.Imap;

/// <summary>
/// The IMAP hot paths read only what they need from the store: a refresh reads the changes since
/// the session's HIGHESTMODSEQ, a header SEARCH reads header blocks in batches, and a second
/// session's FETCH ENVELOPE/BODYSTRUCTURE takes the structures the first one computed.
/// </summary>
public class StoreHotPathTests
{
    private const int Large = 3000;

    /// <summary>A logged-in session on a recorded memory store whose INBOX holds <paramref name="count"/> messages.</summary>
    private static async Task<(ImapFixture Session, MemoryMailStore Memory, RecordingStore Recording, long Inbox)> LargeMailboxAsync(int count)
    {
        var memory = new MemoryMailStore();
        var recording = RecordingStore.Wrap(memory);
        var f = await ImapFixture.LoggedInAsync(store: recording.Store);
        long inbox = f.Inbox.Id;
        for (int i = 0; i < count; i++)
        {
            string subject = i % 100 == 7 ? "zebrafish " + i : "hello " + i;
            await memory.AppendAsync(inbox, new MemoryStream(Encoding.ASCII.GetBytes($"From: a@example.org\r\nSubject: {subject}\r\n\r\nbody {i}\r\n")), MessageFlags.None, DateTimeOffset.UtcNow);
        }

        // Mail an earlier session has seen: no \Recent in the replies these tests compare.
        await memory.ClaimRecentAsync(inbox, uint.MaxValue);
        return (f, memory, recording, inbox);
    }

    /// <summary>Calls of the ListMessagesAsync overload without changedSince: the whole list.</summary>
    private static int FullLists(RecordingStore s) => s.Count(nameof(IMailStore.ListMessagesAsync), c => c.Arguments.Count == 2);

    private static int Opens(RecordingStore s) => s.Count(nameof(IMailStore.OpenMessageAsync));

    [Fact]
    public async Task A_refresh_after_one_change_reads_only_that_change()
    {
        var (f, memory, recording, inbox) = await LargeMailboxAsync(Large);
        await using (f)
        {
            await f.CommandAsync("e", "ENABLE CONDSTORE");
            Assert.Contains($"* {Large} EXISTS", await f.CommandAsync("s", "SELECT INBOX"));
            recording.Reset();

            // A flag change by someone else: one message read, no whole list.
            var changed = await memory.SetFlagsAsync(inbox, [1234], MessageFlags.Seen, [], FlagChange.Add, null);
            Assert.Equal(
                [$"* 1234 FETCH (FLAGS (\\Seen) UID 1234 MODSEQ ({changed.Changed[0].ModSeq}))", "n1 OK NOOP completed"],
                await f.CommandAsync("n1", "NOOP"));
            Assert.Equal((0, 1L), (FullLists(recording), recording.RowsListed));

            // A new message: one row. An expunge: no rows, only the tombstone.
            await memory.AppendAsync(inbox, new MemoryStream("Subject: new\r\n\r\nx"u8.ToArray()), MessageFlags.None, DateTimeOffset.UtcNow);
            Assert.Equal([$"* {Large + 1} EXISTS", "n2 OK NOOP completed"], await f.CommandAsync("n2", "NOOP"));
            Assert.Equal((0, 2L), (FullLists(recording), recording.RowsListed));
            await memory.SetFlagsAsync(inbox, [10], MessageFlags.Deleted, [], FlagChange.Add, null);
            await memory.ExpungeAsync(inbox);
            Assert.Equal(["* 10 EXPUNGE", "n3 OK NOOP completed"], await f.CommandAsync("n3", "NOOP"));
            Assert.Equal((0, 2L), (FullLists(recording), recording.RowsListed));
            Assert.Equal(["n4 OK NOOP completed"], await f.CommandAsync("n4", "NOOP"));
            Assert.Equal((0, 2L), (FullLists(recording), recording.RowsListed));
            await f.CommandAsync("z", "LOGOUT");
            await f.Session.WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    [Fact]
    public async Task Header_search_reads_headers_in_batches_and_opens_no_message()
    {
        var (f, memory, recording, _) = await LargeMailboxAsync(Large);
        await using (f)
        {
            await f.CommandAsync("s", "SELECT INBOX");
            recording.Reset();
            var result = await f.CommandAsync("f", "UID SEARCH SUBJECT zebrafish");
            var hits = result[0].Split(' ').Skip(2).Select(uint.Parse).ToList();
            Assert.Equal(Enumerable.Range(0, Large).Where(i => i % 100 == 7).Select(i => (uint)i + 1), hits);
            Assert.Equal(0, Opens(recording));
            Assert.InRange(memory.HeaderBatches, 1, (Large / 100) + 1);
            await f.CommandAsync("z", "LOGOUT");
            await f.Session.WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    [Fact]
    public async Task A_second_session_takes_structures_from_the_store_cache()
    {
        var (one, memory, recording, inbox) = await LargeMailboxAsync(1000);
        await using (one)
        {
            await one.CommandAsync("s", "SELECT INBOX");
            var first = await one.CommandAsync("f", "FETCH 1:* (ENVELOPE BODYSTRUCTURE)");
            Assert.Equal(1000, first.Count(l => l.StartsWith("* ", StringComparison.Ordinal)));
            await one.CommandAsync("n", "NOOP"); // hands the last computed structures to the store
            await one.CommandAsync("z", "LOGOUT");
            await one.Session.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(1000, (await memory.GetCachedStructuresAsync(inbox, [.. Enumerable.Range(1, 1000).Select(i => (uint)i)])).Count);

            await using var two = await one.SecondSessionAsync();
            await two.CommandAsync("s", "SELECT INBOX");
            recording.Reset();
            var second = await two.CommandAsync("f", "FETCH 1:* (ENVELOPE BODYSTRUCTURE)");
            Assert.Equal(first, second);

            // FetchCommand still opens the first message of each read-ahead batch (see the report).
            Assert.InRange(Opens(recording), 0, (1000 / 64) + 1);
            Assert.InRange(recording.Count(nameof(IMailStore.GetCachedStructuresAsync)), 1, (1000 / 64) + 1);
            await two.CommandAsync("z", "LOGOUT");
            await two.Session.WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    /// <summary>
    /// The incremental refresh writes exactly what the full one writes, for random changes by
    /// other sessions, with and without CONDSTORE and QRESYNC.
    /// </summary>
    [Theory]
    [InlineData(false, false, 1)]
    [InlineData(true, false, 2)]
    [InlineData(true, true, 3)]
    public async Task Apply_changes_matches_the_full_apply(bool condStore, bool qresync, int seed)
    {
        var (memory, _, alice) = await TestServer.CreateStoreAsync();
        long inbox = (await memory.GetMailboxAsync(alice.Id, "INBOX"))!.Id;
        var random = new Random(seed);
        for (int i = 0; i < 40; i++)
        {
            await memory.AppendAsync(inbox, new MemoryStream("Subject: x\r\n\r\nx"u8.ToArray()), MessageFlags.None, DateTimeOffset.UtcNow);
        }

        var info = (await memory.GetMailboxAsync(alice.Id, "INBOX"))!;
        var list = await memory.ListMessagesAsync(inbox);
        var full = new SelectedMailbox(info, false, list, 16);
        var diff = new SelectedMailbox(info, false, list, 16);
        for (int round = 0; round < 30; round++)
        {
            int changes = random.Next(0, 6);
            for (int c = 0; c < changes; c++)
            {
                var now = await memory.ListMessagesAsync(inbox);
                int action = random.Next(4);
                if (action == 0 || now.Count == 0)
                {
                    await memory.AppendAsync(inbox, new MemoryStream("Subject: y\r\n\r\ny"u8.ToArray()), MessageFlags.None, ["Kw" + random.Next(5)], DateTimeOffset.UtcNow);
                }
                else if (action == 1)
                {
                    uint uid = now[random.Next(now.Count)].Uid;
                    await memory.SetFlagsAsync(inbox, [uid], MessageFlags.Deleted, [], FlagChange.Add, null);
                    await memory.ExpungeAsync(inbox, [uid]);
                }
                else
                {
                    uint uid = now[random.Next(now.Count)].Uid;
                    await memory.SetFlagsAsync(inbox, [uid], (MessageFlags)random.Next(1, 32) & ~MessageFlags.Deleted, ["Kw" + random.Next(5)],
                        random.Next(2) == 0 ? FlagChange.Add : FlagChange.Replace, null);
                }
            }

            ulong highest = await memory.GetHighestModSeqAsync(inbox);
            var fullOut = new List<string>();
            full.Apply(await memory.ListMessagesAsync(inbox), fullOut.Add, condStore, qresync);
            var diffOut = new List<string>();
            diff.ApplyChanges(await memory.ListMessagesAsync(inbox, diff.HighestModSeq), await memory.ExpungedSinceAsync(inbox, diff.HighestModSeq), diffOut.Add, condStore, qresync);
            diff.HighestModSeq = highest;
            Assert.Equal(fullOut, diffOut);
            Assert.Equal(full.Messages.Select(m => (m.Uid, m.Flags, m.ModSeq)), diff.Messages.Select(m => (m.Uid, m.Flags, m.ModSeq)));
            Assert.Equal(full.Keywords, diff.Keywords);
        }
    }
}
