using System.Text;
using Microsoft.Extensions.Logging;
using Postern.Net;
using Postern.Protocol.Tests.Support;
using Postern.Smtp;
using Postern.Storage;
using Xunit;

namespace Postern.Protocol.Tests.Smtp;

/// <summary>One SMTP session over an in-memory connection, with a raw client and helpers for the usual steps.</summary>
internal sealed class SmtpHarness : IAsyncDisposable
{
    private readonly CancellationTokenSource _cts = new();

    private SmtpHarness(MemoryMailStore store, string spool, CapturingLogger log)
    {
        Store = store;
        SpoolDirectory = spool;
        Log = log;
    }

    public MemoryMailStore Store { get; }

    public string SpoolDirectory { get; }

    public CapturingLogger Log { get; }

    public RawClient Client { get; private set; } = null!;

    public Task Session { get; private set; } = null!;

    public string Greeting { get; private set; } = "";

    public TlsMode Mode { get; private set; }

    public CancellationTokenSource Shutdown => _cts;

    public static async Task<SmtpHarness> StartAsync(
        MailProtocol protocol,
        TlsMode mode,
        Action<SmtpOptions>? configure = null,
        Func<IMailStore, IMailStore>? wrapStore = null)
    {
        var (store, auth, _) = await TestServer.CreateStoreAsync();
        await store.AddDomainAsync("example.net");
        await store.AddAccountAsync("bob@example.net", "x");
        string spool = Path.Combine(Path.GetTempPath(), "postern-smtp-test-" + Guid.NewGuid().ToString("N"));
        var options = new SmtpOptions { SpoolDirectory = spool };
        configure?.Invoke(options);
        var log = new CapturingLogger();
        var handler = new SmtpHandler(wrapStore?.Invoke(store) ?? store, auth, new ServerIdentity("mail.test"), options, log);
        var harness = new SmtpHarness(store, spool, log) { Mode = mode };
        var (stream, session) = TestServer.Start(handler, protocol, mode, harness._cts.Token);
        harness.Session = session;
        harness.Client = TestServer.Client(stream);
        if (mode == TlsMode.Implicit)
        {
            await harness.Client.StartTlsAsync();
        }

        harness.Greeting = await harness.Client.ReadLineAsync() ?? throw new EndOfStreamException("No greeting.");
        return harness;
    }

    public Task SendAsync(string text) => Client.SendAsync(text);

    public Task SendLineAsync(string line) => Client.SendLineAsync(line);

    public async Task<string> ReadAsync() => await Client.ReadLineAsync() ?? throw new EndOfStreamException("Server closed the connection.");

    /// <summary>Sends one command and returns its (last) reply line.</summary>
    public async Task<string> CommandAsync(string line)
    {
        await SendLineAsync(line);
        string reply = await ReadAsync();
        while (reply.Length > 3 && reply[3] == '-')
        {
            reply = await ReadAsync();
        }

        return reply;
    }

    /// <summary>Sends EHLO and returns every reply line.</summary>
    public async Task<List<string>> EhloAsync(string name = "client.test")
    {
        await SendLineAsync("EHLO " + name);
        return await Client.ReadUntilAsync("250 ");
    }

    /// <summary>STARTTLS and the handshake, for STARTTLS endpoints.</summary>
    public async Task StartTlsAsync()
    {
        Assert.Equal("220 2.0.0 Ready to start TLS", await CommandAsync("STARTTLS"));
        await Client.StartTlsAsync();
    }

    /// <summary>Gets to an authenticated submission session as alice.</summary>
    public async Task LoginAsync()
    {
        await EhloAsync();
        if (Mode == TlsMode.StartTls)
        {
            await StartTlsAsync();
            await EhloAsync();
        }

        Assert.Equal("235 2.7.0 Authentication successful", await CommandAsync("AUTH PLAIN " + Plain("alice@example.org", "secret")));
    }

    public static string Plain(string user, string password) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{user}\0{password}"));

    public static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    /// <summary>Files left in the spool folder (must be none once a transaction ended).</summary>
    public string[] SpoolFiles() => Directory.Exists(SpoolDirectory) ? Directory.GetFiles(SpoolDirectory) : [];

    /// <summary>Waits (bounded) for the session task to end; true if it did.</summary>
    public async Task<bool> SessionEndsAsync()
    {
        var done = await Task.WhenAny(Session, Task.Delay(TimeSpan.FromSeconds(15)));
        return done == Session;
    }

    public async ValueTask DisposeAsync()
    {
        await _cts.CancelAsync();
        await Client.DisposeAsync();
        await Task.WhenAny(Session, Task.Delay(TimeSpan.FromSeconds(5)));
        _cts.Dispose();
        if (Directory.Exists(SpoolDirectory))
        {
            Directory.Delete(SpoolDirectory, recursive: true);
        }
    }
}

/// <summary>Collects log events so tests can check that a warning was raised.</summary>
internal sealed class CapturingLogger : ILogger<SmtpHandler>
{
    private readonly List<(EventId Id, LogLevel Level, string Message)> _events = [];

    public IReadOnlyList<(EventId Id, LogLevel Level, string Message)> Events
    {
        get
        {
            lock (_events)
            {
                return [.. _events];
            }
        }
    }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_events)
        {
            _events.Add((eventId, logLevel, formatter(state, exception)));
        }
    }
}
