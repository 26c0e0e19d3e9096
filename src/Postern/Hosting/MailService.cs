using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Postern.Cli;
using Postern.Storage;

namespace Postern.Hosting;

/// <summary>
/// The mail server as a hosted service: opens the store and binds every endpoint when the host
/// starts (all or nothing: <see cref="MailServer.StartAsync"/> closes what it bound if one endpoint
/// fails), and stops accepting, drains sessions and closes the store when the host stops.
/// </summary>
internal sealed class MailService(ServeSetup setup, ILoggerFactory logs) : IHostedService, IAsyncDisposable
{
    private IMailStore? _store;
    private MailServer? _server;

    /// <summary>The open store, once <see cref="StartAsync"/> has run.</summary>
    public IMailStore Store => _store ?? throw new InvalidOperationException("The mail service has not started.");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _store = await Workspace.OpenStoreAsync(setup.DataDir, logs.CreateLogger("Postern.Storage"), cancellationToken).ConfigureAwait(false);
        try
        {
            _server = await MailServer.StartAsync(setup.Endpoints, setup.Options, _store, setup.Tls, logs).ConfigureAwait(false);
        }
        catch (Net.EndpointBindException e)
        {
            // A port in use or below 1024 without the capability: the user's to fix, said in one sentence.
            throw new UserError(e.Message);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await DisposeAsync().ConfigureAwait(false);

    /// <summary>Also runs when the host is disposed after a failed start, so a half-started server releases its ports and the store.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync().ConfigureAwait(false);
            _server = null;
        }

        if (_store is not null)
        {
            await _store.DisposeAsync().ConfigureAwait(false);
            _store = null;
        }
    }
}
