using System.Reflection;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Postern.Imap;
using Postern.Imap.Session;
using Postern.Net;
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

    private static async Task<(MemoryMailStore Memory, CountingStore Counting, ImapHandler Handler, long Inbox)> LargeMailboxAsync(int count)
    {
        var (memory, auth, alice) = await TestServer.CreateStoreAsync();
        var counting = CountingStore.Wrap(memory);
        var handler = new ImapHandler((IMailStore)(object)counting, auth, new ServerIdentity("mail.test"), new ImapOptions(), NullLogger<ImapHandler>.Instance);
        long inbox = (await memory.GetMailboxAsync(alice.Id, "INBOX"))!.Id;
        for (int i = 0; i < count; i++)
        {
            string subject = i % 100 == 7 ? "zebrafish " + i : "hello " + i;
            await memory.AppendAsync(inbox, new MemoryStream(Encoding.ASCII.GetBytes($"From: a@example.org\r\nSubject: {subject}\r\n\r\nbody {i}\r\n")), MessageFlags.None, DateTimeOffset.UtcNow);
        }

        // Mail an earlier session has seen: no \Recent in the replies these tests compare.
        await memory.ClaimRecentAsync(inbox, uint.MaxValue);
        return (memory, counting, handler, inbox);
    }

    private sealed class Client(LineClient client) : IAsyncDisposable
    {
        public async Task<List<string>> Run(string tag, string command)
        {
            await client.SendLineAsync(tag + " " + command);
            return await client.ReadUntilAsync(tag + " ");
        }

        public ValueTask DisposeAsync() => client.DisposeAsync();
    }

    private static async Task<(Client Client, Task Session)> ConnectAsync(ImapHandler handler)
    {
        var (stream, session) = TestServer.Start(handler, MailProtocol.Imap, TlsMode.Implicit);
        var line = new LineClient(stream);
        await line.StartTlsAsync();
        await line.ReadLineAsync();
        var client = new Client(line);
        Assert.StartsWith("l OK", (await client.Run("l", "LOGIN alice@example.org secret"))[^1]);
        return (client, session);
    }

    [Fact]
    public async Task A_refresh_after_one_change_reads_only_that_change()
    {
        var (memory, counting, handler, inbox) = await LargeMailboxAsync(Large);
        var (client, session) = await ConnectAsync(handler);
        await using (client)
        {
            await client.Run("e", "ENABLE CONDSTORE");
            Assert.Contains($"* {Large} EXISTS", await client.Run("s", "SELECT INBOX"));
            counting.Reset();

            // A flag change by someone else: one message read, no whole list.
            var changed = await memory.SetFlagsAsync(inbox, [1234], MessageFlags.Seen, [], FlagChange.Add, null);
            Assert.Equal(
                [$"* 1234 FETCH (FLAGS (\\Seen) UID 1234 MODSEQ ({changed.Changed[0].ModSeq}))", "n1 OK NOOP completed"],
                await client.Run("n1", "NOOP"));
            Assert.Equal((0, 1), (counting.FullLists, counting.RowsListed));

            // A new message: one row. An expunge: no rows, only the tombstone.
            await memory.AppendAsync(inbox, new MemoryStream("Subject: new\r\n\r\nx"u8.ToArray()), MessageFlags.None, DateTimeOffset.UtcNow);
            Assert.Equal([$"* {Large + 1} EXISTS", "n2 OK NOOP completed"], await client.Run("n2", "NOOP"));
            Assert.Equal((0, 2), (counting.FullLists, counting.RowsListed));
            await memory.SetFlagsAsync(inbox, [10], MessageFlags.Deleted, [], FlagChange.Add, null);
            await memory.ExpungeAsync(inbox);
            Assert.Equal(["* 10 EXPUNGE", "n3 OK NOOP completed"], await client.Run("n3", "NOOP"));
            Assert.Equal((0, 2), (counting.FullLists, counting.RowsListed));
            Assert.Equal(["n4 OK NOOP completed"], await client.Run("n4", "NOOP"));
            Assert.Equal((0, 2), (counting.FullLists, counting.RowsListed));
            await client.Run("z", "LOGOUT");
        }

        await session.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Header_search_reads_headers_in_batches_and_opens_no_message()
    {
        var (memory, counting, handler, _) = await LargeMailboxAsync(Large);
        var (client, session) = await ConnectAsync(handler);
        await using (client)
        {
            await client.Run("s", "SELECT INBOX");
            counting.Reset();
            var result = await client.Run("f", "UID SEARCH SUBJECT zebrafish");
            var hits = result[0].Split(' ').Skip(2).Select(uint.Parse).ToList();
            Assert.Equal(Enumerable.Range(0, Large).Where(i => i % 100 == 7).Select(i => (uint)i + 1), hits);
            Assert.Equal(0, counting.Opens);
            Assert.InRange(memory.HeaderBatches, 1, (Large / 100) + 1);
            await client.Run("z", "LOGOUT");
        }

        await session.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_second_session_takes_structures_from_the_store_cache()
    {
        var (memory, counting, handler, inbox) = await LargeMailboxAsync(1000);
        List<string> first;
        var (one, s1) = await ConnectAsync(handler);
        await using (one)
        {
            await one.Run("s", "SELECT INBOX");
            first = await one.Run("f", "FETCH 1:* (ENVELOPE BODYSTRUCTURE)");
            Assert.Equal(1000, first.Count(l => l.StartsWith("* ", StringComparison.Ordinal)));
            await one.Run("n", "NOOP"); // hands the last computed structures to the store
            await one.Run("z", "LOGOUT");
        }

        await s1.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1000, (await memory.GetCachedStructuresAsync(inbox, [.. Enumerable.Range(1, 1000).Select(i => (uint)i)])).Count);

        var (two, s2) = await ConnectAsync(handler);
        await using (two)
        {
            await two.Run("s", "SELECT INBOX");
            counting.Reset();
            var second = await two.Run("f", "FETCH 1:* (ENVELOPE BODYSTRUCTURE)");
            Assert.Equal(first, second);

            // FetchCommand still opens the first message of each read-ahead batch (see the report).
            Assert.InRange(counting.Opens, 0, (1000 / 64) + 1);
            Assert.InRange(counting.StructureReads, 1, (1000 / 64) + 1);
            await two.Run("z", "LOGOUT");
        }

        await s2.WaitAsync(TimeSpan.FromSeconds(10));
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

    /// <summary>Forwards every call to the memory store and counts the reads that matter here.</summary>
    public class CountingStore : DispatchProxy
    {
        private IMailStore _inner = null!;
        private int _fullLists;
        private int _rowsListed;
        private int _opens;
        private int _structureReads;

        public int FullLists => Volatile.Read(ref _fullLists);

        public int RowsListed => Volatile.Read(ref _rowsListed);

        public int Opens => Volatile.Read(ref _opens);

        public int StructureReads => Volatile.Read(ref _structureReads);

        public void Reset()
        {
            _fullLists = 0;
            _rowsListed = 0;
            _opens = 0;
            _structureReads = 0;
        }

        public static CountingStore Wrap(IMailStore inner)
        {
            var proxy = Create<IMailStore, CountingStore>();
            var counting = (CountingStore)(object)proxy;
            counting._inner = inner;
            return counting;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            var method = targetMethod!;
            if (method.Name == nameof(IMailStore.ListMessagesAsync) && method.GetParameters().Length == 2)
            {
                Interlocked.Increment(ref _fullLists);
            }
            else if (method.Name == nameof(IMailStore.OpenMessageAsync))
            {
                Interlocked.Increment(ref _opens);
            }
            else if (method.Name == nameof(IMailStore.GetCachedStructuresAsync))
            {
                Interlocked.Increment(ref _structureReads);
            }

            object? result;
            try
            {
                result = method.Invoke(_inner, args);
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
                throw;
            }

            if (method.Name == nameof(IMailStore.ListMessagesAsync) && result is Task<IReadOnlyList<MessageInfo>> listing)
            {
                return CountRows(listing);
            }

            return result;
        }

        private async Task<IReadOnlyList<MessageInfo>> CountRows(Task<IReadOnlyList<MessageInfo>> listing)
        {
            var rows = await listing;
            Interlocked.Add(ref _rowsListed, rows.Count);
            return rows;
        }
    }
}
