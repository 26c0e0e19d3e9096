using Postern.Net;
using Postern.Storage.Accounts;

namespace Postern.Hosting;

/// <summary>
/// Makes the connection's client address known to the <see cref="Authenticator"/> (for its
/// per-address penalty) for everything the protocol handler runs on this connection.
/// </summary>
internal sealed class ClientAddressScope(IConnectionHandler inner) : IConnectionHandler
{
    public async Task RunAsync(MailConnection connection, CancellationToken ct)
    {
        // An async method: the AsyncLocal value lives only in this connection's flow.
        var address = connection.RemoteAddress;
        AuthClient.Current = address is { IsIPv4MappedToIPv6: true } ? address.MapToIPv4() : address;
        await inner.RunAsync(connection, ct).ConfigureAwait(false);
    }

    public Task RefuseAsync(MailConnection connection, string reason, CancellationToken ct) => inner.RefuseAsync(connection, reason, ct);
}
