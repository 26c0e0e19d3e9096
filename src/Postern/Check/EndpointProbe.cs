using System.Diagnostics;
using System.Net.Sockets;
using Postern.Net;

namespace Postern.Check;

/// <summary>The bounded waits of one probe; whole-run limits live in CheckRunner.</summary>
/// <remarks>
/// Worst case per endpoint is about two greeting/handshake waits (the expected mode, then the
/// other), so a host that accepts and then stays silent is diagnosed in about 12 s; a refused
/// or dropped connection costs at most Connect. Http bounds each whole autoconfig request,
/// which runs in parallel with the mail probes.
/// </remarks>
public sealed record ProbeTimeouts(TimeSpan Connect, TimeSpan Greeting, TimeSpan Reply, TimeSpan Handshake, TimeSpan Http)
{
    public static ProbeTimeouts Default { get; } = new(TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(8));
}

/// <summary>
/// Probes one endpoint: does it answer, in which mode does it really work (the expected one
/// first, then the other), and what does its TLS and its plaintext side look like.
/// </summary>
public sealed class EndpointProbe
{
    private readonly string _host;
    private readonly string _serverName;
    private readonly TlsInspector _tls;
    private readonly ProbeTimeouts _timeouts;

    public EndpointProbe(string host, string serverName, TlsInspector tls, ProbeTimeouts timeouts)
    {
        _host = host;
        _serverName = serverName;
        _tls = tls;
        _timeouts = timeouts;
    }

    public async Task<EndpointResult> RunAsync(CheckTarget target, int port, CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        var r = new EndpointResult
        {
            Name = target.Name,
            Protocol = target.ProtocolId,
            Role = target.Role,
            Port = port,
            StandardPort = target.StandardPort,
            ExpectedMode = CheckTarget.ModeId(target.ExpectedMode),
        };
        try
        {
            await ProbeAsync(target, port, r, ct);
        }
        catch (ProbeException e)
        {
            r.Add(Finding.Error, "probe-failed", $"The conversation broke off: {e.Message}.");
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            r.Add(Finding.Error, "probe-failed", $"The connection failed: {ProbeChannel.Printable(e.Message)}.");
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            r.Add(Finding.Error, "probe-timeout", "The check ran out of time for this endpoint.");
        }

        CheckVerdict.Judge(target, r);
        r.ElapsedMs = sw.ElapsedMilliseconds;
        return r;
    }

    private async Task ProbeAsync(CheckTarget target, int port, EndpointResult r, CancellationToken ct)
    {
        var dialect = ProtocolDialect.For(target.Protocol);
        using var first = await ConnectAsync(port, r, ct);
        if (first is null)
        {
            return;
        }

        r.Reachable = true;
        if (target.ExpectedMode == TlsMode.Implicit)
        {
            string? tlsError = null;
            try
            {
                await ImplicitAsync(dialect, first, r, ct);
                return;
            }
            catch (ProbeException e) when (r.Tls is null)
            {
                tlsError = e.Message;
            }

            // No TLS: maybe the port speaks plaintext (and STARTTLS) instead.
            using var second = await ConnectAsync(port, r, ct);
            if (second is null)
            {
                return;
            }

            var ch = Channel(second);
            var (ready, line) = await TryGreetingAsync(dialect, ch, ct);
            if (ready)
            {
                r.Greeting = ProbeChannel.Printable(line!);
                await StartTlsAsync(dialect, ch, port, r, ct);
            }
            else
            {
                r.Greeting = line is null ? null : ProbeChannel.Printable(line);
                r.ActualMode = Modes.Unknown;
                r.Add(Finding.Error, "tls-handshake-failed", line is null
                    ? $"Neither TLS nor a plaintext greeting: {tlsError}."
                    : $"No TLS on this port: {tlsError}.");
            }

            return;
        }

        var plain = Channel(first);
        var (ok, greeting) = await TryGreetingAsync(dialect, plain, ct);
        if (ok)
        {
            r.Greeting = ProbeChannel.Printable(greeting!);
            await StartTlsAsync(dialect, plain, port, r, ct);
            return;
        }

        if (greeting is not null)
        {
            r.Greeting = ProbeChannel.Printable(greeting);
            r.ActualMode = Modes.Unknown;
            r.Add(Finding.Error, "unexpected-greeting", $"The server answered, but not with a {target.Title[..4]} greeting: \"{r.Greeting}\".");
            return;
        }

        // Silent: an implicit-TLS server waits for our ClientHello.
        using var retry = await ConnectAsync(port, r, ct);
        if (retry is null)
        {
            return;
        }

        try
        {
            await ImplicitAsync(dialect, retry, r, ct);
        }
        catch (ProbeException e) when (r.Tls is null)
        {
            r.ActualMode = Modes.Unknown;
            r.Add(Finding.Error, "no-greeting", $"The server sent no greeting and no TLS came up ({e.Message}).");
        }
    }

    private async Task ImplicitAsync(ProtocolDialect dialect, Socket socket, EndpointResult r, CancellationToken ct)
    {
        var (ssl, tls) = await _tls.HandshakeAsync(new NetworkStream(socket, ownsSocket: false), _serverName, ct);
        await using var _ = ssl;
        r.Tls = tls;
        var ch = new ProbeChannel(ssl, _timeouts.Reply);
        var (ready, line) = await dialect.ReadGreetingAsync(ch, _timeouts.Greeting, ct);
        r.Greeting = line is null ? null : ProbeChannel.Printable(line);
        if (!ready)
        {
            r.ActualMode = Modes.Unknown;
            r.Add(Finding.Error, "unexpected-greeting", "TLS came up, but no usable greeting followed.");
            return;
        }

        r.ActualMode = Modes.ImplicitTls;
        r.AuthAfterTls = await dialect.AuthOfferedAsync(ch, ct);
    }

    private async Task StartTlsAsync(ProtocolDialect dialect, ProbeChannel ch, int port, EndpointResult r, CancellationToken ct)
    {
        r.ActualMode = Modes.Plaintext;
        var caps = await dialect.CapabilitiesAsync(ch, ct);
        r.StartTlsOffered = dialect.OffersStartTls(caps);
        r.PasswordBeforeTls = dialect.PasswordBeforeTls(caps);
        if (r.StartTlsOffered != true)
        {
            await IgnoreErrors(() => dialect.QuitAsync(ch, ct));
        }
        else
        {
            bool upgraded;
            try
            {
                upgraded = await UpgradeAsync(dialect, ch, inject: true, r, ct);
            }
            catch (ProbeException) when (r.Tls is null)
            {
                upgraded = false;
            }

            if (!upgraded && !await RetryWithoutInjectionAsync(dialect, port, r, ct))
            {
                r.Add(Finding.Error, "starttls-refused", "STARTTLS is advertised but the server refused it.");
            }
        }

        // POP3 asks on its own connection: a USER probe leaves the session waiting for PASS.
        using var extra = dialect is Pop3Dialect && r.PasswordBeforeTls != true ? await ConnectQuietAsync(port, ct) : null;
        if (extra is not null)
        {
            var probe = Channel(extra);
            if ((await TryGreetingAsync(dialect, probe, ct)).Ready && await dialect.PlaintextLoginProbeAsync(probe, ct) == true)
            {
                r.PasswordBeforeTls = true;
            }
        }
    }

    /// <summary>
    /// Some servers refuse or hang up when a command follows STARTTLS — a safe answer to the
    /// injection. Whether TLS works is then asked again, on a new connection, with STARTTLS alone.
    /// </summary>
    private async Task<bool> RetryWithoutInjectionAsync(ProtocolDialect dialect, int port, EndpointResult r, CancellationToken ct)
    {
        using var again = await ConnectAsync(port, r, ct);
        if (again is null)
        {
            return false;
        }

        var plain = Channel(again);
        if (!(await TryGreetingAsync(dialect, plain, ct)).Ready)
        {
            return false;
        }

        await dialect.CapabilitiesAsync(plain, ct);
        if (!await UpgradeAsync(dialect, plain, inject: false, r, ct))
        {
            return false;
        }

        r.StartTlsInjection = "not-executed";
        r.Add(Finding.Info, "starttls-injection-refused", "The server would not take a command sent together with STARTTLS (a safe reaction to injection); STARTTLS alone works.");
        return true;
    }

    /// <summary>STARTTLS, the handshake, then the session inside TLS; false when the server refuses STARTTLS.</summary>
    private async Task<bool> UpgradeAsync(ProtocolDialect dialect, ProbeChannel ch, bool inject, EndpointResult r, CancellationToken ct)
    {
        if (!await dialect.StartTlsAsync(ch, inject, ct))
        {
            return false;
        }

        var (ssl, tls) = await _tls.HandshakeAsync(ch.Stream, _serverName, ct);
        await using var _ = ssl;
        r.Tls = tls;
        r.ActualMode = Modes.StartTls;
        ch.Upgrade(ssl);
        var facts = await dialect.AfterStartTlsAsync(ch, ct);
        r.StartTlsInjection = !inject ? "not-tested" : facts.InjectionExecuted switch { true => "executed", false => "not-executed", null => "not-tested" };
        r.AuthAfterTls = facts.AuthOffered;
        return true;
    }

    private async Task<(bool Ready, string? Line)> TryGreetingAsync(ProtocolDialect dialect, ProbeChannel ch, CancellationToken ct)
    {
        try
        {
            return await dialect.ReadGreetingAsync(ch, _timeouts.Greeting, ct);
        }
        catch (ProbeException)
        {
            return (false, null);
        }
    }

    private ProbeChannel Channel(Socket s) => new(new NetworkStream(s, ownsSocket: false), _timeouts.Reply);

    private async Task<Socket?> ConnectAsync(int port, EndpointResult r, CancellationToken ct)
    {
        var (socket, error) = await TryConnectAsync(port, ct);
        if (socket is null && r.Findings.All(f => f.Code != "no-answer"))
        {
            r.Add(Finding.Error, "no-answer", error!);
        }

        return socket;
    }

    private async Task<Socket?> ConnectQuietAsync(int port, CancellationToken ct) => (await TryConnectAsync(port, ct)).Socket;

    private async Task<(Socket? Socket, string? Error)> TryConnectAsync(int port, CancellationToken ct)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(_timeouts.Connect);
        try
        {
            await socket.ConnectAsync(_host, port, cts.Token);
            return (socket, null);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            socket.Dispose();
            return (null, $"No answer on port {port} within {_timeouts.Connect.TotalSeconds:0} s.");
        }
        catch (SocketException e)
        {
            socket.Dispose();
            return (null, e.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => $"Nothing listens on port {port} (connection refused).",
                SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => $"The host name {_host} does not resolve.",
                _ => $"Cannot connect to port {port}: {e.SocketErrorCode}.",
            });
        }
    }

    private static async Task IgnoreErrors(Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (ProbeException)
        {
            // Saying goodbye is a courtesy; the diagnosis is already complete.
        }
    }
}
