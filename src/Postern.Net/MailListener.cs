using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Postern.Net;

/// <summary>
/// Accepts TCP connections on one endpoint, applies connection limits, runs the TLS handshake
/// for implicit-TLS endpoints and hands each connection to its protocol handler.
/// </summary>
public sealed partial class MailListener : IAsyncDisposable
{
    private readonly EndpointInfo _endpoint;
    private readonly IConnectionHandler _handler;
    private readonly TlsPolicy _tls;
    private readonly ConnectionLimiter _limiter;
    private readonly ILogger _log;
    private readonly Socket _socket;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentSet _sessions = new();
    private Task? _acceptLoop;
    private bool _acceptFailing;

    /// <summary>Binds the endpoint's socket (throws <see cref="EndpointBindException"/> with a clear sentence).</summary>
    public MailListener(EndpointInfo endpoint, IConnectionHandler handler, TlsPolicy tls, ConnectionLimiter limiter, ILogger log)
    {
        _endpoint = endpoint;
        _handler = handler;
        _tls = tls;
        _limiter = limiter;
        _log = log;
        _socket = new Socket(endpoint.Address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (endpoint.Address.Equals(IPAddress.IPv6Any))
            {
                _socket.DualMode = true;
            }

            _socket.Bind(new IPEndPoint(endpoint.Address, endpoint.Port));
            _socket.Listen(512);
        }
        catch (SocketException e)
        {
            _socket.Dispose();
            throw EndpointBindException.From(endpoint, e);
        }
    }

    public EndpointInfo Endpoint => _endpoint;

    public void Start() => _acceptLoop = AcceptLoopAsync();

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _socket.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                // Typically EMFILE/ENFILE: the pending connection stays in the backlog and the listening
                // socket stays readable, so retrying at once would spin. Back off, then try again; log
                // once per episode (not every retry), as a full descriptor table can last a while.
                if (!_acceptFailing)
                {
                    LogAcceptFailed(_endpoint.Name, e.SocketErrorCode.ToString());
                    _acceptFailing = true;
                }

                try
                {
                    await Task.Delay(_limiter.Limits.AcceptBackoff, _stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                continue;
            }

            if (_acceptFailing)
            {
                _acceptFailing = false;
                LogAcceptRecovered(_endpoint.Name);
            }

            var remote = (IPEndPoint)client.RemoteEndPoint!;
            var address = remote.Address.IsIPv4MappedToIPv6 ? remote.Address.MapToIPv4() : remote.Address;
            var admission = _limiter.Admit(address);
            if (admission.Slot is null)
            {
                LogRefusedLimit(_endpoint.Name, remote.ToString(), admission.Limit!, admission.Max);
                client.Dispose();
                continue;
            }

            var task = RunConnectionAsync(client, remote, admission);
            _sessions.Add(task);
            _ = task.ContinueWith(t => _sessions.Remove(t), TaskScheduler.Default);
        }
    }

    private async Task RunConnectionAsync(Socket client, IPEndPoint remote, Admission admission)
    {
        await Task.Yield();
        client.NoDelay = true;
        var limits = _limiter.Limits;
        var slot = admission.Slot!;
        var connection = new MailConnection(new NetworkStream(client, ownsSocket: true), _endpoint, remote, _tls)
        {
            Log = _log,
            HandshakeTimeout = limits.TlsHandshakeTimeout,
            WriteTimeout = limits.WriteTimeout,
            Limits = limits,
            Slot = slot,
            LoginDeadline = Environment.TickCount64 + (long)limits.PreLoginTimeout.TotalMilliseconds,
        };
        try
        {
            if (_endpoint.Mode == TlsMode.Implicit)
            {
                await connection.AuthenticateImplicitTlsAsync(_stop.Token).ConfigureAwait(false);
            }

            if (admission.Verdict == AdmissionVerdict.Refused)
            {
                // In words, after the handshake: a connection closed mid-handshake or without a greeting
                // is reported by email programs as a broken connection or a certificate problem.
                LogRefusedInWords(_endpoint.Name, remote.ToString(), admission.Limit!, admission.Max);
                await _handler.RefuseAsync(connection, Refusal(admission.Limit!), _stop.Token).ConfigureAwait(false);
                return;
            }

            LogConnection(_endpoint.Name, _endpoint.Mode, remote.ToString(), connection.TlsDescription);
            await _handler.RunAsync(connection, _stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Shutting down.
        }
        catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException or SocketException or ObjectDisposedException)
        {
            LogConnectionEnded(_endpoint.Name, remote.ToString(), e.GetType().Name, e.Message);
        }
        catch (Exception e)
        {
            LogConnectionFault(e, _endpoint.Name, remote.ToString());
        }
        finally
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            slot.Dispose();
        }
    }

    /// <summary>The sentence a refused client sees, for the limit that refused it.</summary>
    private static string Refusal(string limit) => limit == ConnectionLimiter.RateKey
        ? "Too many new connections from your address; try again in a minute"
        : "Too many connections from your address; close some or try again later";

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _socket.Dispose();
        if (_acceptLoop is not null)
        {
            await _acceptLoop.ConfigureAwait(false);
        }

        var pending = _sessions.Snapshot();
        await Task.WhenAny(Task.WhenAll(pending), Task.Delay(TimeSpan.FromSeconds(5))).ConfigureAwait(false);
        _stop.Dispose();
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Connection on {Endpoint} ({Mode}) from {Remote}: {Tls}")]
    private partial void LogConnection(string endpoint, TlsMode mode, string remote, string tls);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "Connection on {Endpoint} from {Remote} ended: {Kind}: {Reason}")]
    private partial void LogConnectionEnded(string endpoint, string remote, string kind, string reason);

    [LoggerMessage(EventId = 102, Level = LogLevel.Error, Message = "Connection on {Endpoint} from {Remote} failed with a server fault")]
    private partial void LogConnectionFault(Exception e, string endpoint, string remote);

    [LoggerMessage(EventId = 103, Level = LogLevel.Warning, Message = "Refused a connection on {Endpoint} from {Remote}: connection limit reached, {Limit} ({Max}); dropped without a word")]
    private partial void LogRefusedLimit(string endpoint, string remote, string limit, int max);

    [LoggerMessage(EventId = 107, Level = LogLevel.Warning, Message = "Refused a connection on {Endpoint} from {Remote} in the protocol's words: {Limit} ({Max}) reached")]
    private partial void LogRefusedInWords(string endpoint, string remote, string limit, int max);

    [LoggerMessage(EventId = 104, Level = LogLevel.Warning, Message = "Accept failed on {Endpoint}: {Error}; backing off")]
    private partial void LogAcceptFailed(string endpoint, string error);

    [LoggerMessage(EventId = 106, Level = LogLevel.Information, Message = "Accepting on {Endpoint} again")]
    private partial void LogAcceptRecovered(string endpoint);

    /// <summary>Tracks running session tasks so shutdown can wait for them.</summary>
    private sealed class ConcurrentSet
    {
        private readonly HashSet<Task> _tasks = [];

        public void Add(Task t)
        {
            lock (_tasks)
            {
                _tasks.Add(t);
            }
        }

        public void Remove(Task t)
        {
            lock (_tasks)
            {
                _tasks.Remove(t);
            }
        }

        public Task[] Snapshot()
        {
            lock (_tasks)
            {
                return [.. _tasks];
            }
        }
    }
}
