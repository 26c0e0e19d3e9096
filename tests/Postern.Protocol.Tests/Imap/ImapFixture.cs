using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Postern.Imap;
using Postern.Net;
using Postern.Protocol.Tests.Support;
using Postern.Storage;
using Xunit;

namespace Postern.Protocol.Tests.Imap;

/// <summary>One IMAP session over an in-memory connection, with alice@example.org / "secret" in the store.</summary>
internal sealed class ImapFixture : IAsyncDisposable
{
    public const string Simple =
        "From: Bob Example <bob@example.net>\r\n" +
        "To: alice@example.org\r\n" +
        "Subject: Hello Alice\r\n" +
        "Date: Mon, 02 Feb 2026 10:00:00 +0000\r\n" +
        "Message-ID: <1@example.net>\r\n" +
        "\r\n" +
        "Hi there,\r\nthis is a test.\r\n";

    public const string Multipart =
        "From: carol@example.com\r\n" +
        "To: alice@example.org, dave@example.com\r\n" +
        "Subject: Report attached\r\n" +
        "Date: Tue, 03 Feb 2026 11:00:00 +0100\r\n" +
        "MIME-Version: 1.0\r\n" +
        "Content-Type: multipart/mixed; boundary=\"XX\"\r\n" +
        "\r\n" +
        "preamble\r\n" +
        "--XX\r\n" +
        "Content-Type: text/plain; charset=utf-8\r\n" +
        "\r\n" +
        "See the attachment, banana.\r\n" +
        "--XX\r\n" +
        "Content-Type: application/octet-stream; name=\"r.bin\"\r\n" +
        "Content-Transfer-Encoding: base64\r\n" +
        "Content-Disposition: attachment; filename=\"r.bin\"\r\n" +
        "\r\n" +
        "AAECAwQF\r\n" +
        "--XX--\r\n";

    private ImapFixture(IMailStore store, Postern.Storage.Accounts.Authenticator auth, Account alice, MailboxInfo inbox, RawClient client, Task session)
    {
        Auth = auth;
        Store = store;
        Alice = alice;
        Inbox = inbox;
        Client = client;
        Session = session;
    }

    /// <summary>The store the session uses: a new <see cref="MemoryMailStore"/> unless the test passed one (e.g. a <see cref="RecordingStore"/>).</summary>
    public IMailStore Store { get; }

    /// <summary>The default memory store, for its own counters (e.g. <see cref="MemoryMailStore.WriteCalls"/>); a test that passed another store has none.</summary>
    public MemoryMailStore Memory => Store as MemoryMailStore ?? throw new InvalidOperationException("This session runs on the store the test passed, not a MemoryMailStore.");

    public Postern.Storage.Accounts.Authenticator Auth { get; }

    public Account Alice { get; }

    public MailboxInfo Inbox { get; }

    public RawClient Client { get; }

    public Task Session { get; }

    public string? Greeting { get; private set; }

    /// <summary>Starts a session on <paramref name="store"/> (default: a new memory store), adding alice to it first.</summary>
    public static async Task<ImapFixture> StartAsync(TlsMode mode, ImapOptions? options = null, IMailStore? store = null)
    {
        store ??= new MemoryMailStore();
        var (auth, alice) = await TestServer.AddAliceAsync(store);
        return await StartAsync(store, auth, alice, mode, options);
    }

    /// <summary>A second, logged-in session on the same store (for changes seen by other sessions).</summary>
    public async Task<ImapFixture> SecondSessionAsync(ImapOptions? options = null)
    {
        var f = await StartAsync(Store, Auth, Alice, TlsMode.Implicit, options);
        var lines = await f.CommandAsync("L1", "LOGIN alice@example.org secret");
        Assert.StartsWith("L1 OK", lines[^1]);
        return f;
    }

    private static async Task<ImapFixture> StartAsync(IMailStore store, Postern.Storage.Accounts.Authenticator auth, Account alice, TlsMode mode, ImapOptions? options)
    {
        var inbox = (await store.GetMailboxAsync(alice.Id, "INBOX"))!;
        var handler = new ImapHandler(store, auth, new ServerIdentity("mail.test"), options ?? new ImapOptions(), NullLogger<ImapHandler>.Instance);
        var (stream, session) = TestServer.Start(handler, MailProtocol.Imap, mode);
        var client = TestServer.Client(stream);
        var fixture = new ImapFixture(store, auth, alice, inbox, client, session);
        if (mode == TlsMode.Implicit)
        {
            await client.StartTlsAsync();
        }

        fixture.Greeting = await client.ReadLineAsync();
        return fixture;
    }

    /// <summary>Another session on the same store and authenticator, not logged in.</summary>
    public Task<ImapFixture> NewSessionAsync(TlsMode mode = TlsMode.Implicit) => StartAsync(Store, Auth, Alice, mode, null);

    /// <summary>Starts an implicit-TLS session and logs in.</summary>
    public static async Task<ImapFixture> LoggedInAsync(ImapOptions? options = null, IMailStore? store = null)
    {
        var f = await StartAsync(TlsMode.Implicit, options, store);
        var lines = await f.CommandAsync("L1", "LOGIN alice@example.org secret");
        Assert.StartsWith("L1 OK", lines[^1]);
        return f;
    }

    /// <summary>Sends "tag command" and returns every line up to and including the tagged response.</summary>
    public async Task<List<string>> CommandAsync(string tag, string command)
    {
        await Client.SendLineAsync(tag + " " + command);
        return await Client.ReadUntilAsync(tag + " ");
    }

    public async Task<uint> AppendAsync(string message, MessageFlags flags = MessageFlags.None, DateTimeOffset? date = null, string mailbox = "INBOX")
    {
        var box = (await Store.GetMailboxAsync(Alice.Id, mailbox))!;
        return await Store.AppendAsync(box.Id, new MemoryStream(Encoding.UTF8.GetBytes(message)), flags, date ?? new DateTimeOffset(2026, 2, 2, 10, 0, 5, TimeSpan.Zero));
    }

    /// <summary>
    /// Marks the mailbox's messages as already shown as \Recent to an earlier session, as mail a
    /// user has had for a while is: for tests about something else, whose replies then carry no
    /// \Recent (RecentTests covers it).
    /// </summary>
    public async Task SeenByEarlierSessionAsync(string mailbox = "INBOX")
    {
        var box = (await Store.GetMailboxAsync(Alice.Id, mailbox))!;
        await Store.ClaimRecentAsync(box.Id, uint.MaxValue);
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        try
        {
            await Session.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
            // The session is left to end with its pipe; the test already finished its checks.
        }
    }
}
