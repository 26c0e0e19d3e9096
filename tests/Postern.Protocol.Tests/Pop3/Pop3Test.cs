using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Postern.Net;
using Postern.Pop3;
using Postern.Protocol.Tests.Support;
using Postern.Storage;
using Postern.Storage.Accounts;
using Xunit;

namespace Postern.Protocol.Tests.Pop3;

/// <summary>One POP3 session under test: the store, the raw client and the server task.</summary>
internal sealed class Pop3Test : IAsyncDisposable
{
    public static readonly TimeSpan SessionWait = TimeSpan.FromSeconds(15);

    private Pop3Test(Pop3World world, RawClient client, Task session)
    {
        World = world;
        Client = client;
        Session = session;
    }

    public Pop3World World { get; }

    public MemoryMailStore Store => World.Store;

    public RawClient Client { get; }

    public Task Session { get; }

    /// <summary>Starts a session in a new world (store with alice@example.org / "secret").</summary>
    public static async Task<Pop3Test> StartAsync(TlsMode mode = TlsMode.StartTls, Pop3Options? options = null) =>
        await StartAsync(await Pop3World.CreateAsync(), mode, options);

    /// <summary>Starts another session against an existing world (same store, same locks).</summary>
    public static async Task<Pop3Test> StartAsync(Pop3World world, TlsMode mode = TlsMode.StartTls, Pop3Options? options = null, IMailStore? store = null, ILogger<Pop3Handler>? log = null)
    {
        var handler = new Pop3Handler(store ?? world.Store, world.Auth, new ServerIdentity("mail.example.org"), options ?? new Pop3Options(), log ?? NullLogger<Pop3Handler>.Instance);
        var (stream, session) = TestServer.Start(handler, MailProtocol.Pop3, mode);
        var client = TestServer.Client(stream);
        if (mode == TlsMode.Implicit)
        {
            // TestServer runs the server side of the handshake first; the client side starts it here.
            await client.StartTlsAsync();
        }

        return new Pop3Test(world, client, session);
    }

    public async Task<string> ReadLineAsync() =>
        await Client.ReadLineAsync() ?? throw new EndOfStreamException("The server closed the connection.");

    /// <summary>Sends one command and returns the first line of the reply.</summary>
    public async Task<string> CommandAsync(string line)
    {
        await Client.SendLineAsync(line);
        return await ReadLineAsync();
    }

    /// <summary>Reads the lines of a multi-line reply after its +OK line, up to (not including) the lone ".".</summary>
    public async Task<List<string>> ReadMultiLineAsync()
    {
        var lines = new List<string>();
        while (true)
        {
            var line = await ReadLineAsync();
            if (line == ".")
            {
                return lines;
            }

            lines.Add(line);
        }
    }

    /// <summary>Reads a multi-line body and undoes dot-stuffing: the bytes the client would store.</summary>
    public async Task<string> ReadBodyAsync()
    {
        var sb = new StringBuilder();
        foreach (var line in await ReadMultiLineAsync())
        {
            sb.Append(line.StartsWith('.') ? line[1..] : line).Append("\r\n");
        }

        return sb.ToString();
    }

    /// <summary>Reads the greeting and, on a STLS endpoint, upgrades to TLS.</summary>
    public async Task GreetAndSecureAsync(TlsMode mode = TlsMode.StartTls)
    {
        Assert.StartsWith("+OK ", await ReadLineAsync());
        if (mode == TlsMode.StartTls)
        {
            Assert.Equal("+OK Begin TLS negotiation", await CommandAsync("STLS"));
            await Client.StartTlsAsync();
        }
    }

    /// <summary>Greets, upgrades and logs in as alice with USER/PASS; returns the PASS reply.</summary>
    public async Task<string> LoginAsync(TlsMode mode = TlsMode.StartTls)
    {
        await GreetAndSecureAsync(mode);
        Assert.StartsWith("+OK", await CommandAsync("USER alice@example.org"));
        return await CommandAsync("PASS secret");
    }

    /// <summary>Sends QUIT, checks the reply starts with <paramref name="expectedPrefix"/>, and waits for the session to end.</summary>
    public async Task<string> QuitAsync(string expectedPrefix = "+OK")
    {
        var reply = await CommandAsync("QUIT");
        Assert.StartsWith(expectedPrefix, reply);
        Assert.True(await Client.IsClosedAsync());
        await Session.WaitAsync(SessionWait);
        return reply;
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await Session.WaitAsync(SessionWait);
    }
}

/// <summary>A store with one user, shared by the sessions of one test.</summary>
internal sealed class Pop3World
{
    private Pop3World(MemoryMailStore store, Authenticator auth, Account alice, long inboxId)
    {
        Store = store;
        Auth = auth;
        Alice = alice;
        InboxId = inboxId;
    }

    public MemoryMailStore Store { get; }

    public Authenticator Auth { get; }

    public Account Alice { get; }

    public long InboxId { get; }

    public static async Task<Pop3World> CreateAsync()
    {
        var (store, auth, alice) = await TestServer.CreateStoreAsync();
        var inbox = await store.GetMailboxAsync(alice.Id, "INBOX") ?? throw new InvalidOperationException("no INBOX");
        return new Pop3World(store, auth, alice, inbox.Id);
    }

    public Task<uint> AddAsync(string message) =>
        Store.AppendAsync(InboxId, new MemoryStream(Encoding.UTF8.GetBytes(message)), MessageFlags.None, DateTimeOffset.UtcNow);

    public async Task<List<uint>> UidsAsync() => [.. (await Store.ListMessagesAsync(InboxId)).Select(m => m.Uid)];
}
