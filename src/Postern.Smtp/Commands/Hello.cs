using Postern.Smtp.Parsing;

namespace Postern.Smtp.Session;

internal sealed partial class SmtpSession
{
    /// <summary>EHLO / HELO (RFC 5321 4.1.1.1): names the client, resets any transaction, lists extensions.</summary>
    private void Hello(string args, bool esmtp)
    {
        string name = args.Trim(' ');
        int space = name.IndexOf(' ');
        if (space >= 0)
        {
            // Some clients add text after the name; the grammar has none, we ignore it.
            name = name[..space];
        }

        if (!PathParser.IsValidHeloName(name))
        {
            Error(Replies.InvalidHelo);
            return;
        }

        _helo = name;
        _esmtp = esmtp;
        _transaction = null;
        _connection.ReadTimeout = _options.CommandTimeout;
        if (!esmtp)
        {
            Send(new Reply(250, null, _hostname));
            return;
        }

        var lines = new List<string>
        {
            _hostname,
            "PIPELINING",
            $"SIZE {_options.MaxMessageSize}",
            "8BITMIME",
            "ENHANCEDSTATUSCODES",
            "SMTPUTF8",
        };
        if (_connection.CanStartTls)
        {
            lines.Add("STARTTLS");
        }

        // No password over plaintext, and no AUTH at all on the MX port (relay).
        if (IsSubmission && _connection.IsTls)
        {
            lines.Add("AUTH PLAIN LOGIN");
        }

        for (int i = 0; i < lines.Count; i++)
        {
            _connection.WriteLine((i == lines.Count - 1 ? "250 " : "250-") + lines[i]);
        }
    }
}
