using System.Reflection;
using Microsoft.Extensions.Logging.Abstractions;
using Postern.Imap;
using Postern.Net;
using Postern.Protocol.Tests.Support;
using Postern.Storage;
using Xunit;

namespace Postern.Protocol.Tests.Imap;

/// <summary>
/// NOOP and IDLE on a large mailbox: while HIGHESTMODSEQ is unchanged the session must not read
/// the whole message list again (it did on every NOOP before).
/// </summary>
public class RefreshCostTests
{
    [Fact]
    public async Task Noop_reads_the_message_list_only_after_a_change()
    {
        var (memory, auth, alice) = await TestServer.CreateStoreAsync();
        var store = CountingStore.Wrap(memory);
        var handler = new ImapHandler((IMailStore)(object)store, auth, new ServerIdentity("mail.test"), new ImapOptions(), NullLogger<ImapHandler>.Instance);
        var (stream, session) = TestServer.Start(handler, MailProtocol.Imap, TlsMode.Implicit);
        await using var client = new LineClient(stream);
        await client.StartTlsAsync();
        await client.ReadLineAsync();
        async Task<List<string>> Run(string tag, string command)
        {
            await client.SendLineAsync(tag + " " + command);
            return await client.ReadUntilAsync(tag + " ");
        }

        Assert.StartsWith("l OK", (await Run("l", "LOGIN alice@example.org secret"))[^1]);
        var inbox = (await memory.GetMailboxAsync(alice.Id, "INBOX"))!;
        await memory.AppendAsync(inbox.Id, new MemoryStream("Subject: a\r\n\r\na\r\n"u8.ToArray()), MessageFlags.None, DateTimeOffset.UtcNow);
        await Run("s", "SELECT INBOX");
        int afterSelect = store.ListCalls;

        for (int i = 0; i < 3; i++)
        {
            Assert.Equal([$"n{i} OK NOOP completed"], await Run("n" + i, "NOOP"));
        }

        Assert.Equal(afterSelect, store.ListCalls);

        await memory.AppendAsync(inbox.Id, new MemoryStream("Subject: b\r\n\r\nb\r\n"u8.ToArray()), MessageFlags.None, DateTimeOffset.UtcNow);
        Assert.Equal(["* 2 EXISTS", "* 2 RECENT", "m OK NOOP completed"], await Run("m", "NOOP"));
        Assert.Equal(afterSelect + 1, store.ListCalls);
        Assert.Equal(["m2 OK NOOP completed"], await Run("m2", "NOOP"));
        Assert.Equal(afterSelect + 1, store.ListCalls);
        await Run("z", "LOGOUT");
        await session.WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>Forwards every call to the memory store and counts ListMessagesAsync.</summary>
    public class CountingStore : DispatchProxy
    {
        private IMailStore _inner = null!;
        private int _listCalls;

        public int ListCalls => Volatile.Read(ref _listCalls);

        public static CountingStore Wrap(IMailStore inner)
        {
            var proxy = Create<IMailStore, CountingStore>();
            var counting = (CountingStore)(object)proxy;
            counting._inner = inner;
            return counting;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            if (targetMethod!.Name == nameof(IMailStore.ListMessagesAsync))
            {
                Interlocked.Increment(ref _listCalls);
            }

            try
            {
                return targetMethod.Invoke(_inner, args);
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
                throw;
            }
        }
    }
}
