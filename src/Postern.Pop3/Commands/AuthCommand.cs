using System.Text;
using Postern.Net;
using Postern.Pop3.Parsing;
using Postern.Pop3.Session;
using Postern.Storage.Accounts;

namespace Postern.Pop3.Commands;

/// <summary>AUTH (RFC 5034) with the PLAIN mechanism (RFC 4616), over TLS only.</summary>
internal static class AuthCommand
{
    public static async ValueTask<CommandResult> ExecuteAsync(Pop3Session session, Pop3Command command, CancellationToken ct)
    {
        if (session.RefuseWithoutTls() is { } refusal)
        {
            return refusal;
        }

        var c = session.Connection;
        var args = command.Arguments;
        if (args.Count == 0)
        {
            // Not in RFC 5034, but Outlook and others send a bare AUTH (the RFC 1734 habit) to
            // learn the mechanisms; answering it costs nothing.
            c.WriteLine("+OK Supported mechanisms follow");
            c.WriteLine("PLAIN");
            c.WriteLine(".");
            return CommandResult.Ok;
        }

        if (args.Count > 2)
        {
            return CommandResult.Error(Replies.Syntax);
        }

        if (!string.Equals(args[0], "PLAIN", StringComparison.OrdinalIgnoreCase))
        {
            return CommandResult.Error("Unsupported authentication mechanism");
        }

        string response;
        if (args.Count == 2)
        {
            // RFC 5034 section 4: "=" is an empty initial response.
            response = args[1] == "=" ? "" : args[1];
        }
        else
        {
            // PLAIN has no challenge: an empty one is "+" and a space.
            c.WriteLine("+ ");
            var line = await c.ReadLineAsync(session.Options.MaxAuthLineLength, ct).ConfigureAwait(false);
            if (line.Status == LineStatus.Closed)
            {
                return CommandResult.Close;
            }

            if (line.Status == LineStatus.TooLong)
            {
                return CommandResult.Error(Replies.LineTooLong);
            }

            response = Encoding.ASCII.GetString(line.Bytes.Span).Trim();
            if (response == "*")
            {
                return CommandResult.Error("Authentication cancelled");
            }
        }

        if (!SaslPlain.TryDecode(response, out var user, out var password))
        {
            session.Log.LoginFailed(session.Remote, "AUTH PLAIN");
            return CommandResult.Error(Replies.AuthFailed);
        }

        return await session.LoginAsync(user, password, "AUTH PLAIN", ct).ConfigureAwait(false);
    }
}
