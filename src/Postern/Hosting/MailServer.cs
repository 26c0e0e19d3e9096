using Microsoft.Extensions.Logging;
using Postern.Imap;
using Postern.Net;
using Postern.Pop3;
using Postern.Smtp;
using Postern.Storage;
using Postern.Storage.Accounts;
using Postern.Web;

namespace Postern.Hosting;

/// <summary>Binds every configured endpoint to its protocol handler and runs the listeners.</summary>
public sealed class MailServer : IAsyncDisposable
{
    private readonly List<MailListener> _listeners = [];
    private WebHost? _web;
    private TlsCertificateWatcher? _certificates;

    private MailServer() { }

    public IReadOnlyList<EndpointInfo> Endpoints => [.. _listeners.Select(l => l.Endpoint)];

    /// <summary>The HTTP/HTTPS endpoints the web host listens on (empty if both are disabled).</summary>
    public IReadOnlyList<WebEndpoint> WebEndpoints { get; private set; } = [];

    /// <summary>
    /// Binds all endpoints (all or nothing: if one cannot bind, the others are closed and the
    /// <see cref="EndpointBindException"/> propagates) and starts accepting.
    /// </summary>
    public static async Task<MailServer> StartAsync(
        IReadOnlyList<EndpointInfo> endpoints,
        Configuration.PosternOptions options,
        IMailStore store,
        TlsPolicy tls,
        ILoggerFactory logs)
    {
        var identity = new ServerIdentity(options.Hostname);
        // One policy from the Quota section for every protocol that stores mail.
        options.Imap.Quota = options.Quota;
        options.Smtp.Quota = options.Quota;
        var auth = new Authenticator(store, options.Auth, logs.CreateLogger<Authenticator>());
        var limiter = new ConnectionLimiter(options.Limits);
        if (limiter.MaxConnections < options.Limits.MaxConnections)
        {
            HostingLog.ConnectionsCappedByDescriptors(logs.CreateLogger("Postern.Net.Listener"), DescriptorBudget.SoftLimit() ?? 0, limiter.MaxConnections, options.Limits.MaxConnections);
        }
        var smtp = new SmtpHandler(store, auth, identity, options.Smtp, logs.CreateLogger<SmtpHandler>());
        var imap = new ImapHandler(store, auth, identity, options.Imap, logs.CreateLogger<ImapHandler>());
        var pop3 = new Pop3Handler(store, auth, identity, options.Pop3, logs.CreateLogger<Pop3Handler>());
        var server = new MailServer();
        try
        {
            foreach (var endpoint in endpoints)
            {
                IConnectionHandler handler = new ClientAddressScope(endpoint.Protocol switch
                {
                    MailProtocol.Imap => imap,
                    MailProtocol.Pop3 => pop3,
                    _ => smtp,
                });
                server._listeners.Add(new MailListener(endpoint, handler, tls, limiter, logs.CreateLogger("Postern.Net.Listener")));
            }
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        foreach (var l in server._listeners)
        {
            l.Start();
        }

        // Renewed certificates are picked up while running (TlsCertificateWatcher says how).
        if (tls.Sources.Count > 0)
        {
            server._certificates = new TlsCertificateWatcher(tls, TimeSpan.FromSeconds(options.Tls.ReloadCheckSeconds), logs.CreateLogger("Postern.Net.Tls"));
        }

        // The web side publishes what these listeners serve: same endpoints (with the same
        // --port-offset), same certificate and TLS policy.
        try
        {
            var web = Configuration.ConfigLoader.ResolveWebEndpoints(options, options.AppliedPortOffset, options.AppliedBind);
            server._web = await WebHost.StartAsync(web, Settings.PublishedSettingsFactory.Create(options.Hostname, endpoints), store, tls, logs).ConfigureAwait(false);
            server.WebEndpoints = web;
        }
        catch (WebBindException e)
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw new Cli.UserError(e.Message);
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return server;
    }

    public async ValueTask DisposeAsync()
    {
        _certificates?.Dispose();
        _certificates = null;
        if (_web is not null)
        {
            await _web.DisposeAsync().ConfigureAwait(false);
            _web = null;
        }

        foreach (var l in _listeners)
        {
            await l.DisposeAsync().ConfigureAwait(false);
        }

        _listeners.Clear();
    }
}
