using Postern.Imap.Parsing;
using Postern.Imap.Session;

namespace Postern.Imap.Commands;

/// <summary>LOGIN (RFC 3501 6.2.3): only over TLS (LOGINDISABLED before it).</summary>
public sealed class LoginCommand : IImapCommand
{
    internal const string PrivacyRequired = "[PRIVACYREQUIRED] Login is disabled until TLS is active (use STARTTLS or port 993)";

    internal const string Failed = "[AUTHENTICATIONFAILED] Authentication failed";

    public async Task ExecuteAsync(ImapSession session, ImapCommand command, CancellationToken ct)
    {
        // Refuse before looking at the arguments: the password has crossed in clear already, but we
        // never check it, so a plaintext login can never succeed (and never confirm a password).
        if (!session.Connection.IsTls)
        {
            session.Connection.ReportMistake(Postern.Net.Diagnostics.ClientMistake.PasswordBeforeTls);
            throw ImapException.No(PrivacyRequired);
        }

        Arguments.Count(command, 2, 2);
        string user = Arguments.AString(command.Args[0], "a user name");
        string password = Arguments.AString(command.Args[1], "a password");
        await CompleteAsync(session, command.Tag, user, password, "LOGIN", ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Answers a failed login (the caller has already delayed): NO, or after too many failures on
    /// this connection NO and BYE. Throws <see cref="ImapException"/> for the plain NO.
    /// </summary>
    internal static void Refuse(ImapSession session, string tag, string mechanism)
    {
        Log.LoginFailed(session.Log, mechanism);
        if (++session.AuthFailures >= session.Options.MaxAuthFailures)
        {
            // Guessing passwords on one connection ends here; the delay already slowed each try.
            session.Connection.WriteLine(tag + " NO " + Failed);
            session.Untagged("BYE Too many authentication failures");
            session.State = ImapState.Logout;
            return;
        }

        throw ImapException.No(Failed);
    }

    /// <summary>Checks credentials and moves to Authenticated; identical answer for unknown user and wrong password.</summary>
    internal static async Task CompleteAsync(ImapSession session, string tag, string user, string password, string mechanism, CancellationToken ct)
    {
        var account = await session.Auth.AuthenticateAsync(user, password, ct).ConfigureAwait(false);
        if (account is null)
        {
            Refuse(session, tag, mechanism);
            return;
        }

        Admit(session, tag, account, mechanism);
    }

    /// <summary>
    /// Moves to Authenticated and answers OK, unless the account already has its maximum of
    /// connections from this address (Limits:MaxConnectionsPerAccountAndAddress, logged by the
    /// connection). Then NO [UNAVAILABLE] (RFC 5530: a temporary condition, not
    /// AUTHENTICATIONFAILED, so email programs keep the password) and BYE, as Dovecot ends such a
    /// session: it can do nothing useful, and each retry on it would cost a password hash.
    /// </summary>
    internal static void Admit(ImapSession session, string tag, Postern.Storage.Account account, string mechanism)
    {
        if (!session.Connection.TryLogIn(account.Id))
        {
            session.Connection.WriteLine(tag + " NO [UNAVAILABLE] Too many connections of this account from your address; close some or try again later");
            session.Untagged("BYE Too many connections");
            session.State = ImapState.Logout;
            return;
        }

        session.LoggedIn(account);
        Log.LoginSucceeded(session.Log, account.Id, mechanism);
        session.Ok(tag, $"[CAPABILITY {session.Capabilities}] Logged in");
    }
}
