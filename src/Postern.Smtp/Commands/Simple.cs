namespace Postern.Smtp.Session;

internal sealed partial class SmtpSession
{
    /// <summary>RSET (RFC 5321 4.1.1.5): aborts the transaction; EHLO and authentication stay.</summary>
    private void Rset(bool hasArgs)
    {
        if (hasArgs)
        {
            Error(Replies.NoArgumentsAllowed);
            return;
        }

        _transaction = null;
        Send(Replies.Ok);
    }

    /// <summary>QUIT (RFC 5321 4.1.1.10): 221, then we close.</summary>
    private void Quit()
    {
        Send(Replies.Bye);
        _close = true;
    }

    /// <summary>
    /// VRFY (RFC 5321 3.5.3): 252 whatever the argument, so it never tells whether a user exists
    /// (harvesting defence); RFC 5321 7.3 allows disabling it this way.
    /// </summary>
    private void Vrfy(bool hasArgs)
    {
        if (!hasArgs)
        {
            Error(Replies.SyntaxError);
            return;
        }

        Send(Replies.CannotVerify);
    }

    /// <summary>HELP (RFC 5321 4.1.1.8).</summary>
    private void Help()
    {
        _connection.WriteLine("214-2.0.0 Commands: EHLO HELO STARTTLS AUTH MAIL RCPT DATA RSET NOOP QUIT VRFY HELP");
        _connection.WriteLine("214 2.0.0 Postern SMTP; see RFC 5321");
    }
}
