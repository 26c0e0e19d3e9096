using Postern.Fuzz.Support;

namespace Postern.Fuzz.Targets;

/// <summary>
/// IMAP commands (with literals, LITERAL+, IDLE, COMPRESS, APPEND...) through the real session in
/// each state, as mox replays its fuzz input in every connection state: before login (plaintext
/// STARTTLS endpoint), after LOGIN and after SELECT (implicit TLS).
/// </summary>
public sealed class ImapSessionTarget : IFuzzTarget
{
    public string Name => "imap-session";

    public void Run(ReadOnlySpan<byte> input)
    {
        ImapSessions.Run(ImapStart.NotAuthenticated, input);
        ImapSessions.Run(ImapStart.Authenticated, input);
        ImapSessions.Run(ImapStart.Selected, input);
    }
}
