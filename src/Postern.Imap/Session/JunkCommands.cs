namespace Postern.Imap.Session;

/// <summary>
/// Bounds commands that make no progress (NOOP, CHECK, CAPABILITY): more than
/// <see cref="ImapOptions.MaxJunkCommands"/> of them within <see cref="ImapOptions.JunkCommandWindow"/>,
/// with no other command in between, end the session. The IMAP counterpart of Postfix's
/// smtpd_junk_command_limit; Dovecot has none, and answered 100,000 pipelined NOOPs.
/// </summary>
/// <remarks>
/// Why both a window and a reset on other commands: a mail program without IDLE polls with NOOP,
/// once a minute or every few minutes, on one connection for hours or days, and on a quiet
/// mailbox nothing else happens in between, so a count of NOOPs in a row alone would one day
/// close a perfectly good session. A flood sends its hundred within milliseconds. And a program
/// that does send a NOOP or CAPABILITY between much real work (FETCH, STORE, SELECT) is making
/// progress, so real work starts the count again.
/// </remarks>
public sealed class JunkCommands(int limit, TimeSpan window, Func<long>? clock = null)
{
    private readonly Func<long> _clock = clock ?? (() => Environment.TickCount64);
    private int _count;
    private long _windowStart;

    public static bool IsJunk(string commandName) => commandName is "NOOP" or "CHECK" or "CAPABILITY";

    /// <summary>Counts one junk command; false when it is one too many and the session must end.</summary>
    public bool Allow()
    {
        long now = _clock();
        if (_count == 0 || now - _windowStart > (long)window.TotalMilliseconds)
        {
            _count = 0;
            _windowStart = now;
        }

        return ++_count <= limit;
    }

    /// <summary>A command that did real work: the count starts again.</summary>
    public void Progress() => _count = 0;
}
