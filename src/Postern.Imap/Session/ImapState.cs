namespace Postern.Imap.Session;

/// <summary>The connection states of RFC 3501 3, as flags so the command table can list several per command.</summary>
[Flags]
public enum ImapState
{
    NotAuthenticated = 1,
    Authenticated = 2,
    Selected = 4,
    Logout = 8,

    /// <summary>Commands valid in every state before logout (CAPABILITY, NOOP, LOGOUT; RFC 3501 6.1).</summary>
    Any = NotAuthenticated | Authenticated | Selected,

    /// <summary>Commands valid once logged in (RFC 3501 6.3), including while a mailbox is selected.</summary>
    LoggedIn = Authenticated | Selected,
}
