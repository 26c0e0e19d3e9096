using System.Text;
using Postern.Net;
using Postern.Storage.Accounts;

namespace Postern.Smtp.Session;

internal sealed partial class SmtpSession
{
    private const string UsernamePrompt = "VXNlcm5hbWU6"; // base64("Username:")
    private const string PasswordPrompt = "UGFzc3dvcmQ6"; // base64("Password:")

    /// <summary>
    /// AUTH PLAIN (RFC 4616) and LOGIN (draft-murchison-sasl-login) per RFC 4954, only on submission
    /// and only over TLS. Every failure gets the same 535 text, whether the user is unknown or the
    /// password wrong (the <see cref="Authenticator"/> also equalises the timing).
    /// </summary>
    private async Task AuthAsync(string args)
    {
        if (!IsSubmission)
        {
            _connection.ReportMistake(Postern.Net.Diagnostics.ClientMistake.AuthOnRelayPort);
            Error(Replies.AuthNotOffered);
            return;
        }

        if (!_connection.IsTls)
        {
            // No password ever crosses a plaintext connection, loopback included.
            _connection.ReportMistake(Postern.Net.Diagnostics.ClientMistake.PasswordBeforeTls);
            Error(Replies.TlsFirst);
            return;
        }

        if (_helo is null || !_esmtp)
        {
            Error(Replies.SendHeloFirst);
            return;
        }

        if (_account is not null)
        {
            // RFC 4954 4: AUTH is not permitted once authenticated.
            Error(Replies.AlreadyAuthenticated);
            return;
        }

        if (_transaction is not null)
        {
            // RFC 4954 4: not permitted during a mail transaction.
            Error(Replies.NotInTransaction);
            return;
        }

        var parts = args.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length is 0 or > 2)
        {
            Error(Replies.SyntaxError);
            return;
        }

        string mechanism = parts[0].ToUpperInvariant();
        string? initial = parts.Length == 2 ? parts[1] : null;
        switch (mechanism)
        {
            case "PLAIN":
                await AuthPlainAsync(initial).ConfigureAwait(false);
                break;
            case "LOGIN":
                await AuthLoginAsync(initial).ConfigureAwait(false);
                break;
            default:
                Error(Replies.UnknownMechanism);
                break;
        }
    }

    private async Task AuthPlainAsync(string? initial)
    {
        string? response = initial;
        if (response is null)
        {
            Send(new Reply(334, null, ""));
            response = await ReadSaslResponseAsync().ConfigureAwait(false);
            if (response is null)
            {
                return;
            }
        }
        else if (response == "=")
        {
            // RFC 4954 4: "=" is an empty initial response.
            response = "";
        }

        if (!IsBase64(response))
        {
            Error(Replies.InvalidBase64);
            return;
        }

        if (!SaslPlain.TryDecode(response, out string user, out string password))
        {
            await FailAuthAsync("PLAIN").ConfigureAwait(false);
            return;
        }

        await FinishAuthAsync(user, password, "PLAIN").ConfigureAwait(false);
    }

    private async Task AuthLoginAsync(string? initial)
    {
        string? userB64 = initial;
        if (userB64 is null)
        {
            Send(new Reply(334, null, UsernamePrompt));
            userB64 = await ReadSaslResponseAsync().ConfigureAwait(false);
            if (userB64 is null)
            {
                return;
            }
        }

        if (!TryDecodeBase64Text(userB64, out string user))
        {
            Error(Replies.InvalidBase64);
            return;
        }

        Send(new Reply(334, null, PasswordPrompt));
        string? passwordB64 = await ReadSaslResponseAsync().ConfigureAwait(false);
        if (passwordB64 is null)
        {
            return;
        }

        if (!TryDecodeBase64Text(passwordB64, out string password))
        {
            Error(Replies.InvalidBase64);
            return;
        }

        await FinishAuthAsync(user, password, "LOGIN").ConfigureAwait(false);
    }

    private async Task FinishAuthAsync(string user, string password, string mechanism)
    {
        var account = await _auth.AuthenticateAsync(user, password, _ct).ConfigureAwait(false);
        if (account is null)
        {
            await FailAuthAsync(mechanism).ConfigureAwait(false);
            return;
        }

        if (!_connection.TryLogIn(account.Id))
        {
            // The connection logged the limit; the session stays unauthenticated and may QUIT.
            Send(Replies.TooManyConnections);
            return;
        }

        _account = account;
        _log.Authenticated(_remote, account.Address, mechanism);
        Send(Replies.AuthSucceeded);
    }

    private Task FailAuthAsync(string mechanism)
    {
        _log.AuthenticationFailed(_remote, mechanism);
        Error(Replies.AuthFailed);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Reads one SASL response line. Null when the exchange ended here: the client cancelled with "*"
    /// (501, RFC 4954 4), sent a bad line, or closed the connection.
    /// </summary>
    private async Task<string?> ReadSaslResponseAsync()
    {
        var line = await _connection.ReadLineAsync(AuthLineLimit, _ct).ConfigureAwait(false);
        switch (line.Status)
        {
            case LineStatus.Closed:
                _close = true;
                return null;
            case LineStatus.TooLong:
                Error(Replies.LineTooLong);
                return null;
        }

        if (line.BareLineFeed)
        {
            Error(Replies.BareLineFeedCommand);
            return null;
        }

        // Base64 is ASCII; anything else fails the base64 check below.
        string text = Encoding.ASCII.GetString(line.Bytes.Span).Trim(' ');
        if (text == "*")
        {
            Error(Replies.AuthCancelled);
            return null;
        }

        return text;
    }

    private static bool IsBase64(string s)
    {
        if (s.Length % 4 != 0)
        {
            return false;
        }

        Span<byte> scratch = s.Length <= 4096 ? stackalloc byte[s.Length] : new byte[s.Length];
        return Convert.TryFromBase64String(s, scratch, out _);
    }

    private static bool TryDecodeBase64Text(string s, out string text)
    {
        text = "";
        if (!IsBase64(s))
        {
            return false;
        }

        try
        {
            text = new UTF8Encoding(false, true).GetString(Convert.FromBase64String(s));
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }
}
