using Postern.Imap.Parsing;
using Postern.Imap.Session;
using Postern.Net;
using Postern.Storage.Accounts;

namespace Postern.Imap.Commands;

/// <summary>AUTHENTICATE PLAIN (RFC 3501 6.2.2, RFC 4959 SASL-IR, RFC 4616), only over TLS.</summary>
public sealed class AuthenticateCommand : IImapCommand
{
    /// <summary>Longest SASL response line we read: PLAIN credentials are short.</summary>
    private const int MaxResponseLine = 8 * 1024;

    public async Task ExecuteAsync(ImapSession session, ImapCommand command, CancellationToken ct)
    {
        Arguments.Count(command, 1, 2);
        string mechanism = Arguments.AString(command.Args[0], "a SASL mechanism").ToUpperInvariant();
        if (!session.Connection.IsTls)
        {
            throw ImapException.No(LoginCommand.PrivacyRequired);
        }

        if (mechanism != "PLAIN")
        {
            throw ImapException.No("Unsupported authentication mechanism");
        }

        string response;
        if (command.Args.Count == 2)
        {
            // SASL-IR: "=" stands for an empty initial response (RFC 4959 3).
            response = Arguments.AString(command.Args[1], "an initial response");
            response = response == "=" ? "" : response;
        }
        else
        {
            session.Connection.WriteLine("+ ");
            var line = await session.Connection.ReadLineAsync(MaxResponseLine, ct).ConfigureAwait(false);
            if (line.Status == LineStatus.Closed)
            {
                throw new IOException("Connection closed during AUTHENTICATE.");
            }

            if (line.Status == LineStatus.TooLong)
            {
                throw ImapException.Bad("Response too long");
            }

            response = line.Text;
            if (response == "*")
            {
                throw ImapException.Bad("Authentication cancelled");
            }
        }

        if (!SaslPlain.TryDecode(response, out string user, out string password))
        {
            Log.LoginFailed(session.Log, "PLAIN");
            throw ImapException.Bad("Malformed PLAIN response");
        }

        await LoginCommand.CompleteAsync(session, command.Tag, user, password, "PLAIN", ct).ConfigureAwait(false);
    }
}
