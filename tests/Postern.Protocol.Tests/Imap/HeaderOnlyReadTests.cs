using System.Reflection;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Postern.Imap;
using Postern.Net;
using Postern.Protocol.Tests.Support;
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

    /// <summary>Forwards every IMailStore call and counts the bytes read from message streams.</summary>
    public class CountingStore : DispatchProxy
    {
        public IMailStore Inner { get; set; } = null!;

        public long BytesRead;

        protected override object? Invoke(MethodInfo? method, object?[]? args)
        {
            object? result = method!.Invoke(Inner, args);
            if (method.Name == nameof(IMailStore.OpenMessageAsync) && result is Task<Stream?> open)
            {
                return Wrap(open);
            }

            return result;
        }

        private async Task<Stream?> Wrap(Task<Stream?> open)
        {
            var s = await open;
            return s is null ? null : new CountingStream(s, n => Interlocked.Add(ref BytesRead, n));
        }
    }

    private sealed class CountingStream(Stream inner, Action<int> counted) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => inner.CanSeek;

        public override bool CanWrite => false;

        public override long Length => inner.Length;

        public override long Position { get => inner.Position; set => inner.Position = value; }

        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = inner.Read(buffer, offset, count);
            counted(n);
            return n;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
        {
            int n = await inner.ReadAsync(buffer, ct);
            counted(n);
            return n;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
            ReadAsync(buffer.AsMemory(offset, count), ct).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }

    [Fact]
    public async Task Sort_thread_and_header_search_leave_bodies_unread()
    {
        var (store, auth, alice) = await TestServer.CreateStoreAsync();
        var inbox = (await store.GetMailboxAsync(alice.Id, "INBOX"))!;
        string body = new string('b', BodySize);
        for (int i = 0; i < Count; i++)
        {
            string m = $"From: u{i}@example.org\r\nTo: alice@example.org\r\nMessage-ID: <m{i}@x>\r\n"
                + (i > 0 ? $"In-Reply-To: <m{i - 1}@x>\r\n" : "")
                + $"Subject: {(i % 2 == 0 ? "even" : "odd")} {i}\r\nDate: Mon, 02 Feb 2026 10:00:{i % 60:00} +0000\r\n\r\n{body}\r\n";
            await store.AppendAsync(inbox.Id, new MemoryStream(Encoding.UTF8.GetBytes(m)), MessageFlags.None, DateTimeOffset.UnixEpoch.AddDays(i));
        }

        var counting = DispatchProxy.Create<IMailStore, CountingStore>();
        var counter = (CountingStore)(object)counting;
        counter.Inner = store;
        var handler = new ImapHandler(counting, auth, new ServerIdentity("mail.test"), new ImapOptions(), NullLogger<ImapHandler>.Instance);
        var (stream, session) = TestServer.Start(handler, MailProtocol.Imap, TlsMode.Implicit);
        await using var client = new LineClient(stream);
        await client.StartTlsAsync();
        await client.ReadLineAsync();
        await client.SendLineAsync("a LOGIN alice@example.org secret");
        Assert.StartsWith("a OK", (await client.ReadUntilAsync("a "))[^1]);
        await client.SendLineAsync("b SELECT INBOX");
        Assert.StartsWith("b OK", (await client.ReadUntilAsync("b "))[^1]);

        // Header blocks are a few hundred bytes; one read buffer (8 KiB) each is the most allowed.
        long limit = Count * 8192L;
        async Task<List<string>> Run(string tag, string command, bool bodies = false)
        {
            long before = Interlocked.Read(ref counter.BytesRead);
            await client.SendLineAsync(tag + " " + command);
            var lines = await client.ReadUntilAsync(tag + " ");
            long read = Interlocked.Read(ref counter.BytesRead) - before;
            Assert.True(bodies ? read >= (long)Count * BodySize : read <= limit, $"{command}: {read} bytes read");
            return lines;
        }

        Assert.StartsWith("* SORT 1 11 13 ", (await Run("c", "SORT (SUBJECT) UTF-8 ALL"))[0]);
        Assert.StartsWith("* THREAD (1 2 3 4 ", (await Run("d", "THREAD REFERENCES UTF-8 ALL"))[0]);
        Assert.StartsWith("* THREAD (1)(3)(5)", (await Run("e", "THREAD ORDEREDSUBJECT UTF-8 SUBJECT even"))[0]);
        Assert.Equal("* SEARCH 8", (await Run("g", "SEARCH SUBJECT \"odd 7\" FROM u7"))[0]);
        // ARRIVAL and SIZE need no message at all.
        long beforeArrival = Interlocked.Read(ref counter.BytesRead);
        Assert.StartsWith("* SORT 40 39 ", (await Run("h", "SORT (REVERSE ARRIVAL SIZE) UTF-8 ALL"))[0]);
        Assert.Equal(beforeArrival, Interlocked.Read(ref counter.BytesRead));
        // The counter does see bodies: BODY reads them all.
        Assert.Equal("* SEARCH", (await Run("i", "SEARCH BODY nowhere", bodies: true))[0]);
    }
}
