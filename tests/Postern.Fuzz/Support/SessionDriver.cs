using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Postern.Net;

namespace Postern.Fuzz.Support;

/// <summary>
/// Runs one real protocol session (the handler the listener would run) over an in-memory
/// connection and plays a script to it: one line (up to and including LF) each time the server
/// waits for input, then end of stream. Implicit TLS endpoints get a real TLS handshake first, so
/// the states behind login (which needs TLS) are reached as a client reaches them.
/// </summary>
/// <remarks>
/// What the listener treats as the connection ending (IOException, AuthenticationException,
/// SocketException, ObjectDisposedException, see MailListener.RunConnectionAsync) is the expected
/// end of a hostile session. Anything else escaping the handler is what the listener logs as a
/// server fault, and so is a crash here.
/// </remarks>
public static class SessionDriver
{
    /// <summary>
    /// A safety net only: afl++ (-t 1000) and the replay tests (5 s) apply the real time bounds.
    /// Past this the session is cancelled and reported as a hang.
    /// </summary>
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    /// <summary>Largest chunk sent per server read: a line longer than this goes in pieces, as over TCP.</summary>
    private const int MaxChunk = 16 * 1024;

    /// <summary>Most of the server's output kept for <see cref="Run"/>'s result; the rest is read and dropped.</summary>
    private const int MaxTranscript = 64 * 1024;

    /// <summary>Plays <paramref name="script"/> to one session; returns the start of what the server sent.</summary>
    public static string Run(IConnectionHandler handler, MailProtocol protocol, TlsMode mode, byte[] script)
    {
        using var cts = new CancellationTokenSource();
        var run = RunAsync(handler, protocol, mode, script, cts.Token);
        if (!run.Wait(Bound))
        {
            cts.Cancel();
            throw new TimeoutException($"The {protocol} session did not end within {Bound.TotalSeconds} s.");
        }

        return run.GetAwaiter().GetResult();
    }

    private static async Task<string> RunAsync(IConnectionHandler handler, MailProtocol protocol, TlsMode mode, byte[] script, CancellationToken ct)
    {
        var toServer = new Pipe();
        var toClient = new Pipe();
        var server = new WatchedTransport(toServer.Reader.AsStream(), toClient.Writer.AsStream());
        Stream client = new WatchedTransport(toClient.Reader.AsStream(), toServer.Writer.AsStream());
        var endpoint = new EndpointInfo("fuzz", protocol, IPAddress.Loopback, 0, mode);
        var connection = new MailConnection(server, endpoint, new IPEndPoint(IPAddress.Loopback, 40000), Fixtures.Tls);
        var session = Task.Run(() => ServeAsync(connection, handler, mode, ct), ct);
        if (mode == TlsMode.Implicit)
        {
            var ssl = new SslStream(client, leaveInnerStreamOpen: false, (_, _, _, _) => true);
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "mail.test" }, ct).ConfigureAwait(false);
            client = ssl;
        }

        var transcript = new MemoryStream();
        var drain = DrainAsync(client, transcript);
        long read = -1;
        int pos = 0;
        while (pos < script.Length)
        {
            read = await server.WaitForReadAsync(read, session).ConfigureAwait(false);
            if (read < 0)
            {
                break;
            }

            int lf = Array.IndexOf(script, (byte)'\n', pos);
            int end = Math.Min(lf < 0 ? script.Length : lf + 1, pos + MaxChunk);
            if (!await TryWriteAsync(client, script.AsMemory(pos, end - pos), ct).ConfigureAwait(false))
            {
                break;
            }

            pos = end;
        }

        // End of input: end of stream, as a client that drops the connection. No TLS close_notify:
        // OpenSSL does not take SslStream.ShutdownAsync beside the drain's pending read, and the
        // server must cope with a dropped connection anyway.
        await toServer.Writer.CompleteAsync().ConfigureAwait(false);
        await session.ConfigureAwait(false);
        await drain.ConfigureAwait(false);
        await IgnoreClosedAsync(() => client.DisposeAsync().AsTask()).ConfigureAwait(false);
        return System.Text.Encoding.UTF8.GetString(transcript.GetBuffer(), 0, (int)transcript.Length);
    }

    private static async Task ServeAsync(MailConnection connection, IConnectionHandler handler, TlsMode mode, CancellationToken ct)
    {
        try
        {
            await using (connection.ConfigureAwait(false))
            {
                if (mode == TlsMode.Implicit)
                {
                    await connection.AuthenticateImplicitTlsAsync(ct).ConfigureAwait(false);
                }

                await handler.RunAsync(connection, ct).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (IsConnectionEnd(e))
        {
            // How the listener ends a connection without calling it a fault.
        }
    }

    /// <summary>The exceptions MailListener.RunConnectionAsync logs as an ended connection rather than a server fault.</summary>
    public static bool IsConnectionEnd(Exception e) =>
        e is IOException or AuthenticationException or SocketException or ObjectDisposedException;

    /// <summary>
    /// How the client's end fails when the server hung up or broke TLS under it: the client is
    /// ours, and its failures say nothing about the server (whose exceptions surface from the
    /// session task). OpenSSL reports such ends as CryptographicException ("application data after
    /// close notify", "unexpected eof while reading") or as its internal SslException.
    /// </summary>
    private static bool IsClientSideEnd(Exception e) =>
        IsConnectionEnd(e) || e is InvalidOperationException or System.Security.Cryptography.CryptographicException
        || e.GetType().FullName == "Interop+OpenSsl+SslException";

    private static async Task<bool> TryWriteAsync(Stream client, ReadOnlyMemory<byte> bytes, CancellationToken ct)
    {
        try
        {
            await client.WriteAsync(bytes, ct).ConfigureAwait(false);
            await client.FlushAsync(ct).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (IsClientSideEnd(e))
        {
            return false;
        }
    }

    /// <summary>
    /// Set POSTERN_FUZZ_TRACE=1 to see the server's replies on stderr when replaying files by hand
    /// (dotnet Postern.Fuzz.dll TARGET FILE), e.g. to check that a seed reaches the state it means to.
    /// </summary>
    private static readonly bool Trace = Environment.GetEnvironmentVariable("POSTERN_FUZZ_TRACE") == "1";

    /// <summary>Reads and drops everything the server sends, so its writes never wait on a full pipe.</summary>
    private static async Task DrainAsync(Stream client, MemoryStream transcript)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int n;
            while ((n = await client.ReadAsync(buffer).ConfigureAwait(false)) > 0)
            {
                transcript.Write(buffer, 0, Math.Min(n, MaxTranscript - (int)transcript.Length));
                if (Trace)
                {
                    Console.Error.Write(System.Text.Encoding.UTF8.GetString(buffer, 0, n));
                }
            }
        }
        catch (Exception e) when (IsClientSideEnd(e))
        {
            // The server hung up (or broke TLS) first; its reason is the session's outcome, not ours.
        }
    }

    /// <summary>Runs a client-side closing step; SslStream may throw before it returns a task, hence the delegate.</summary>
    private static async Task IgnoreClosedAsync(Func<Task> step)
    {
        try
        {
            await step().ConfigureAwait(false);
        }
        catch (Exception e) when (IsClientSideEnd(e))
        {
            // The server already closed its side.
        }
    }
}
