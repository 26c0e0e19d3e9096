using Microsoft.Extensions.Logging;

namespace Postern.Net.Diagnostics;

/// <summary>
/// Counts and logs <see cref="ClientMistake"/>s. Each kind has its own event id (110–116) and name,
/// so an operator can filter for one, and the message says which setting the user should change.
/// Counts are per process: one server runs per process.
/// </summary>
public static class ClientMistakes
{
    private static readonly long[] Counts = new long[Enum.GetValues<ClientMistake>().Length];

    private static readonly Action<ILogger, string, string, string, long, Exception?>[] Events =
        [.. Enum.GetValues<ClientMistake>().Select(kind => LoggerMessage.Define<string, string, string, long>(
            LogLevel.Warning,
            EventIdOf(kind),
            "Client setting problem on {Endpoint} from {Remote}: {Advice} ({Count} so far)"))];

    /// <summary>The event id and name of <paramref name="kind"/>: 110 + its position, as the README documents for operators.</summary>
    public static EventId EventIdOf(ClientMistake kind) => new(110 + (int)kind, kind.ToString());

    /// <summary>How many times <paramref name="kind"/> was seen since the process started.</summary>
    public static long Count(ClientMistake kind) => Interlocked.Read(ref Counts[(int)kind]);

    /// <summary>Counts one occurrence and logs it with advice for <paramref name="endpoint"/>.</summary>
    public static void Report(ILogger? log, ClientMistake kind, EndpointInfo endpoint, string remote, string? detail = null)
    {
        long count = Interlocked.Increment(ref Counts[(int)kind]);
        if (log is not null)
        {
            Events[(int)kind](log, endpoint.Name, remote, Advice(kind, endpoint, detail), count, null);
        }
    }

    /// <summary>One sentence in the words email programs use: what happened and what to choose instead.</summary>
    public static string Advice(ClientMistake kind, EndpointInfo endpoint, string? detail = null)
    {
        int port = endpoint.Port;
        string alt = endpoint.AlternatePort is int a ? a.ToString(System.Globalization.CultureInfo.InvariantCulture) : "";
        return kind switch
        {
            ClientMistake.TlsOnStartTlsPort =>
                $"client used SSL/TLS on port {port}, which expects STARTTLS: choose STARTTLS" + (alt != "" ? $", or use port {alt} with SSL/TLS" : ""),
            ClientMistake.PlaintextOnImplicitTlsPort =>
                $"client sent plaintext on port {port}, which expects SSL/TLS from the first byte: choose SSL/TLS" + (alt != "" ? $", or use port {alt} with STARTTLS" : ""),
            ClientMistake.SilentOnImplicitTlsPort =>
                $"client sent nothing on port {port}, which expects SSL/TLS from the first byte; it is probably waiting for a plaintext greeting (STARTTLS or no security chosen): choose SSL/TLS" + (alt != "" ? $", or use port {alt} with STARTTLS" : ""),
            ClientMistake.OutdatedTls =>
                $"client offered only {detail ?? "an outdated protocol"} on port {port}; TLS 1.2 or newer is required: update the email program or its operating system",
            ClientMistake.CertificateRejected =>
                $"client rejected the server certificate on port {port} ({detail ?? "alert"}): it does not trust it; use a certificate from a public CA, or install this one on the client",
            ClientMistake.PasswordBeforeTls =>
                $"client tried to log in without encryption on port {port}: choose STARTTLS" + (alt != "" ? $", or use port {alt} with SSL/TLS" : ""),
            ClientMistake.AuthOnRelayPort =>
                $"client tried to log in on port {port}, which only takes mail from other servers: to send, use " + (alt != "" ? $"port {alt} with SSL/TLS" : "the submission port with SSL/TLS") + " or STARTTLS on the STARTTLS submission port",
            _ => kind.ToString(),
        };
    }

    /// <summary>
    /// Explains a failed handshake from the bytes the client sent and the error OpenSSL reported;
    /// null when nothing recognisable went wrong (a client that just hung up, say).
    /// </summary>
    public static (ClientMistake Kind, string? Detail)? Diagnose(ReadOnlySpan<byte> seen, Exception? error, bool timedOut, bool implicitTls)
    {
        if (seen.Length == 0)
        {
            return timedOut && implicitTls ? (ClientMistake.SilentOnImplicitTlsPort, null) : null;
        }

        if (!ClientHello.LooksLikeTls(seen))
        {
            // Printable text where a ClientHello was due: a protocol command, a greeting wait cut short.
            return implicitTls && seen[0] is >= 0x20 and < 0x7f ? (ClientMistake.PlaintextOnImplicitTlsPort, null) : null;
        }

        if (ClientHello.HighestOfferedVersion(seen) is int v && v < 0x0303)
        {
            return (ClientMistake.OutdatedTls, ClientHello.Name(v));
        }

        // OpenSSL names the client's alert in the error text, e.g. "tlsv1 alert unknown ca",
        // "sslv3 alert bad certificate" (TLS 1.3 alerts are encrypted, so the text is all we have).
        for (var e = error; e is not null; e = e.InnerException)
        {
            string m = e.Message;
            foreach (string alert in CertificateAlerts)
            {
                if (m.Contains(alert, StringComparison.OrdinalIgnoreCase))
                {
                    return (ClientMistake.CertificateRejected, alert.Replace(' ', '_'));
                }
            }
        }

        return null;
    }

    /// <summary>Alert descriptions (RFC 8446 6.2) a client sends when it does not accept our certificate.</summary>
    private static readonly string[] CertificateAlerts =
        ["unknown ca", "bad certificate", "certificate unknown", "certificate expired", "unsupported certificate", "certificate revoked", "access denied"];
}
