using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Postern.Storage;
using Postern.Web.Documents;
using Postern.Web.Page;

namespace Postern.Web;

/// <summary>
/// Answers every web request: autoconfig on HTTP and HTTPS, everything else on HTTPS only (HTTP
/// redirects there). HTTP never receives or returns anything secret: the documents carry only
/// server names, ports and the user's own address.
/// </summary>
public sealed class WebRequestHandler
{
    private readonly PublishedSettings _settings;
    private readonly IMailStore _store;
    private readonly int _httpsPort;
    private readonly ILogger _log;

    public WebRequestHandler(PublishedSettings settings, IMailStore store, int httpsPort, ILogger log)
    {
        _settings = settings;
        _store = store;
        _httpsPort = httpsPort;
        _log = log;
    }

    /// <summary>The Content-Security-Policy of every response: nothing may load but the page's own inline style.</summary>
    public static readonly string ContentSecurityPolicy =
        $"default-src 'none'; style-src {SettingsPage.StyleHash}; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    public async Task HandleAsync(HttpContext ctx)
    {
        var req = ctx.Request;
        var res = ctx.Response;
        res.Headers["Content-Security-Policy"] = ContentSecurityPolicy;
        res.Headers["X-Content-Type-Options"] = "nosniff";
        res.Headers["Referrer-Policy"] = "no-referrer";
        res.Headers["X-Frame-Options"] = "DENY";
        res.Headers.CacheControl = "no-store";
        if (req.IsHttps)
        {
            // One year; subdomains are left alone because they may run other services.
            res.Headers["Strict-Transport-Security"] = "max-age=31536000";
        }

        var route = Routes.Match(req.Path.Value ?? "/", out string? pathAddress);
        try
        {
            if (!req.IsHttps && route != Route.Autoconfig)
            {
                Redirect(ctx);
            }
            else
            {
                await DispatchAsync(ctx, route, pathAddress);
            }
        }
        catch (BadHttpRequestException e)
        {
            // Body too large or too slow (Kestrel's limits); the status it carries says which.
            await TextAsync(ctx, e.StatusCode, "The request body is too large or arrived too slowly.");
        }

        WebLog.Served(_log, req.Method, route.ToString(), ctx.Connection.RemoteIpAddress?.ToString(), res.StatusCode);
    }

    private async Task DispatchAsync(HttpContext ctx, Route route, string? pathAddress)
    {
        var req = ctx.Request;
        bool get = HttpMethods.IsGet(req.Method) || HttpMethods.IsHead(req.Method);
        bool post = HttpMethods.IsPost(req.Method);
        if (route == Route.NotFound)
        {
            await TextAsync(ctx, 404, "Nothing here. The settings page is at /.");
            return;
        }

        if (!get && !(post && route == Route.AutodiscoverXml))
        {
            ctx.Response.Headers.Allow = route == Route.AutodiscoverXml ? "GET, HEAD, POST" : "GET, HEAD";
            await TextAsync(ctx, 405, $"{route} accepts {ctx.Response.Headers.Allow}.");
            return;
        }

        switch (route)
        {
            case Route.Page:
                await BytesAsync(ctx, "text/html; charset=utf-8", Encoding.UTF8.GetBytes(SettingsPage.Render(_settings, await _store.ListDomainsAsync(ctx.RequestAborted))));
                return;
            case Route.Autoconfig:
            {
                var target = await ResolveAsync(ctx, route, req.Query["emailaddress"], addressRequired: false);
                if (target is not null)
                {
                    await BytesAsync(ctx, "application/xml; charset=utf-8", ThunderbirdAutoconfig.Render(_settings, target.Domains));
                }

                return;
            }

            case Route.Pacc:
            {
                var target = await ResolveAsync(ctx, route, null, addressRequired: false);
                if (target is not null)
                {
                    await BytesAsync(ctx, "application/json", PaccDocument.Render(_settings, target.Domains[0]));
                }

                return;
            }

            case Route.AppleProfile:
            {
                if (_settings.Imap.Count == 0 || _settings.Smtp.Count == 0)
                {
                    await TextAsync(ctx, 404, "This server has no IMAP or no submission endpoint, so there is no profile to offer.");
                    return;
                }

                var target = await ResolveAsync(ctx, route, pathAddress ?? (string?)req.Query["emailaddress"], addressRequired: true);
                if (target is not null)
                {
                    ctx.Response.Headers.ContentDisposition = $"attachment; filename=\"{target.Domains[0]}.mobileconfig\"";
                    await BytesAsync(ctx, AppleProfile.ContentType, AppleProfile.Render(_settings, target.Address!));
                }

                return;
            }

            case Route.AutodiscoverJson:
            {
                string? address = pathAddress ?? (string?)req.Query["Email"];
                var target = await ResolveAsync(ctx, route, address, addressRequired: true);
                if (target is not null)
                {
                    var (status, body) = Autodiscover.RenderV2(req.Query["Protocol"].ToString(), HttpsBase() + "/Autodiscover/Autodiscover.xml");
                    ctx.Response.StatusCode = status;
                    await BytesAsync(ctx, "application/json", body);
                }

                return;
            }

            case Route.AutodiscoverXml:
            {
                string? address;
                if (post)
                {
                    var body = await ReadBoundedAsync(ctx, Autodiscover.MaxRequestBytes);
                    if (body is null)
                    {
                        await RefuseAsync(ctx, route, 413, $"The Autodiscover request is larger than {Autodiscover.MaxRequestBytes} bytes.");
                        return;
                    }

                    address = Autodiscover.ReadEmailAddress(body, out string? error);
                    if (address is null)
                    {
                        await RefuseAsync(ctx, route, 400, error!);
                        return;
                    }
                }
                else
                {
                    address = req.Query["emailaddress"].Count > 0 ? req.Query["emailaddress"] : req.Query["Email"];
                    if (string.IsNullOrEmpty(address))
                    {
                        await RefuseAsync(ctx, route, 400, "Autodiscover needs an address: POST an Autodiscover request with EMailAddress, or add ?emailaddress=name@domain.");
                        return;
                    }
                }

                var target = await ResolveAsync(ctx, route, address, addressRequired: true);
                if (target is not null)
                {
                    await BytesAsync(ctx, "text/xml; charset=utf-8", Autodiscover.RenderPox(_settings, target.Address!));
                }

                return;
            }
        }
    }

    private sealed record Target(string? Address, IReadOnlyList<string> Domains);

    /// <summary>
    /// Which address and domain(s) a request is about: the address given (400 if malformed, 404 if
    /// its domain is not served here), else the domain the Host header names (autoconfig.D,
    /// autodiscover.D, ua-auto-config.D or D), else every domain served here.
    /// </summary>
    private async Task<Target?> ResolveAsync(HttpContext ctx, Route route, string? address, bool addressRequired)
    {
        var ct = ctx.RequestAborted;
        if (!string.IsNullOrEmpty(address))
        {
            var parsed = EmailAddress.TryParse(address);
            if (parsed is null)
            {
                await RefuseAsync(ctx, route, 400, "That is not an email address: expected name@domain.");
                return null;
            }

            if (!await _store.IsLocalDomainAsync(parsed.Domain, ct))
            {
                await RefuseAsync(ctx, route, 404, $"This server does not handle mail for {parsed.Domain}.");
                return null;
            }

            return new Target(parsed.Address, [parsed.Domain]);
        }

        if (addressRequired)
        {
            await RefuseAsync(ctx, route, 400, "An email address is needed: add ?emailaddress=name@domain.");
            return null;
        }

        string host = ctx.Request.Host.Host.TrimEnd('.').ToLowerInvariant();
        string? named = null;
        foreach (var prefix in new[] { "autoconfig.", "autodiscover.", "ua-auto-config." })
        {
            if (host.StartsWith(prefix, StringComparison.Ordinal))
            {
                named = EmailAddress.TryDomain(host[prefix.Length..]);
                break;
            }
        }

        if (named is null && !IPAddress.TryParse(host.Trim('[', ']'), out _) && host != _settings.Hostname.ToLowerInvariant())
        {
            named = EmailAddress.TryDomain(host);
            if (named is not null && !await _store.IsLocalDomainAsync(named, ct))
            {
                named = null; // another name of this server: answer for all domains
            }
        }

        if (named is not null)
        {
            if (!await _store.IsLocalDomainAsync(named, ct))
            {
                await RefuseAsync(ctx, route, 404, $"This server does not handle mail for {named}.");
                return null;
            }

            return new Target(null, [named]);
        }

        var all = await _store.ListDomainsAsync(ct);
        if (all.Count == 0)
        {
            await RefuseAsync(ctx, route, 404, "This server does not handle mail for any domain yet.");
            return null;
        }

        return new Target(null, all);
    }

    /// <summary>Reads the body up to <paramref name="limit"/> bytes; null if it is larger.</summary>
    private static async Task<byte[]?> ReadBoundedAsync(HttpContext ctx, int limit)
    {
        if (ctx.Request.ContentLength > limit)
        {
            return null;
        }

        using var ms = new MemoryStream();
        var buffer = new byte[4096];
        int n;
        while ((n = await ctx.Request.Body.ReadAsync(buffer, ctx.RequestAborted)) > 0)
        {
            if (ms.Length + n > limit)
            {
                return null;
            }

            ms.Write(buffer, 0, n);
        }

        return ms.ToArray();
    }

    private string HttpsBase() =>
        "https://" + _settings.Hostname + (_httpsPort == 443 ? "" : ":" + _httpsPort.ToString(CultureInfo.InvariantCulture));

    /// <summary>
    /// HTTP to HTTPS on the server's own name (the one its certificate covers). 302 for GET/HEAD,
    /// which is what Outlook's "HTTP redirect" step expects; 308 otherwise so the method is kept.
    /// </summary>
    private void Redirect(HttpContext ctx)
    {
        var req = ctx.Request;
        bool get = HttpMethods.IsGet(req.Method) || HttpMethods.IsHead(req.Method);
        ctx.Response.StatusCode = get ? 302 : 308;
        ctx.Response.Headers.Location = HttpsBase() + req.Path.ToUriComponent() + req.QueryString.ToUriComponent();
    }

    private async Task RefuseAsync(HttpContext ctx, Route route, int status, string reason)
    {
        WebLog.Refused(_log, route.ToString(), ctx.Connection.RemoteIpAddress?.ToString(), reason);
        await TextAsync(ctx, status, reason);
    }

    private static Task TextAsync(HttpContext ctx, int status, string text)
    {
        ctx.Response.StatusCode = status;
        return BytesAsync(ctx, "text/plain; charset=utf-8", Encoding.UTF8.GetBytes(text + "\n"));
    }

    private static async Task BytesAsync(HttpContext ctx, string contentType, byte[] body)
    {
        ctx.Response.ContentType = contentType;
        ctx.Response.ContentLength = body.Length;
        if (!HttpMethods.IsHead(ctx.Request.Method))
        {
            await ctx.Response.Body.WriteAsync(body, ctx.RequestAborted);
        }
    }
}
