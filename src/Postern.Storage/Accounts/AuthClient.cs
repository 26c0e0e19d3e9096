using System.Net;

namespace Postern.Storage.Accounts;

/// <summary>
/// The client address of the connection whose code is running, for the authentication penalty.
/// The host sets it once per connection, so every protocol's password check sees it without
/// passing it through each command.
/// </summary>
public static class AuthClient
{
    private static readonly AsyncLocal<IPAddress?> s_current = new();

    /// <summary>The current connection's client address; null outside a connection (tests, CLI).</summary>
    public static IPAddress? Current
    {
        get => s_current.Value;
        set => s_current.Value = value;
    }
}
