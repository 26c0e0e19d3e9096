using Postern.Net;

namespace Postern.Check;

/// <summary>What the session inside TLS showed.</summary>
public sealed record TlsSessionFacts(bool? InjectionExecuted, bool? AuthOffered);

/// <summary>
/// The few exchanges the check needs from each mail protocol: greeting, capabilities, the
/// STARTTLS command with one command pipelined behind it, and a clean goodbye. Never a login:
/// the only credential-like thing ever sent is an obviously invalid user name (POP3 USER).
/// </summary>
public abstract class ProtocolDialect
{
    public const string InvalidUser = "postern-check-no-such-user@invalid";

    public static ProtocolDialect For(MailProtocol p) => p switch
    {
        MailProtocol.Imap => new ImapDialect(),
        MailProtocol.Pop3 => new Pop3Dialect(),
        _ => new SmtpDialect(),
    };

    /// <summary>Reads the greeting: the first line if it is this protocol's "ready", else null (with the line for the report).</summary>
    public abstract Task<(bool Ready, string? Line)> ReadGreetingAsync(ProbeChannel ch, TimeSpan timeout, CancellationToken ct);

    /// <summary>Capabilities in plaintext (EHLO keywords, IMAP CAPABILITY atoms, POP3 CAPA lines), upper case.</summary>
    public abstract Task<IReadOnlyList<string>> CapabilitiesAsync(ProbeChannel ch, CancellationToken ct);

    public abstract bool OffersStartTls(IReadOnlyList<string> caps);

    /// <summary>Would a password be accepted before TLS, going by the capabilities alone?</summary>
    public abstract bool PasswordBeforeTls(IReadOnlyList<string> caps);

    /// <summary>
    /// Sends the upgrade command with one harmless command behind it in the same write, and
    /// reads the upgrade reply. A server that keeps the pipelined command across the upgrade
    /// answers it inside TLS (CVE-2011-0411; RFC 3207 section 4, RFC 2595 section 3.1).
    /// Without <paramref name="inject"/>, the upgrade command alone.
    /// </summary>
    public abstract Task<bool> StartTlsAsync(ProbeChannel ch, bool inject, CancellationToken ct);

    /// <summary>After a STARTTLS handshake: was the pipelined command answered, and is login offered? Ends the session.</summary>
    public abstract Task<TlsSessionFacts> AfterStartTlsAsync(ProbeChannel ch, CancellationToken ct);

    /// <summary>Inside implicit TLS, greeting already read: is login offered? Ends the session.</summary>
    public abstract Task<bool?> AuthOfferedAsync(ProbeChannel ch, CancellationToken ct);

    /// <summary>Ends a plaintext session politely (errors ignored by the caller).</summary>
    public abstract Task QuitAsync(ProbeChannel ch, CancellationToken ct);

    /// <summary>
    /// A separate plaintext connection (greeting read) that asks whether login would be
    /// accepted before TLS, without sending any secret; null when the protocol needs none.
    /// </summary>
    public virtual Task<bool?> PlaintextLoginProbeAsync(ProbeChannel ch, CancellationToken ct) => Task.FromResult<bool?>(null);

    /// <summary>Reads lines until one matches, with a bound on how many.</summary>
    protected static async Task<List<string>> ReadUntilAsync(ProbeChannel ch, Func<string, bool> last, CancellationToken ct)
    {
        var lines = new List<string>();
        while (lines.Count < 200)
        {
            string line = await ch.ExpectLineAsync(ct);
            lines.Add(line);
            if (last(line))
            {
                return lines;
            }
        }

        throw new ProbeException("the server sent more than 200 lines for one reply");
    }

    /// <summary>Lines until the server closes (or stops sending), bounded.</summary>
    protected static async Task<List<string>> ReadToEndAsync(ProbeChannel ch, CancellationToken ct)
    {
        var lines = new List<string>();
        try
        {
            while (lines.Count < 200 && await ch.ReadLineAsync(ct) is { } line)
            {
                lines.Add(line);
            }
        }
        catch (ProbeException)
        {
            // Some servers keep the connection open (or reset it) after QUIT/LOGOUT; what came is enough.
        }

        return lines;
    }
}
