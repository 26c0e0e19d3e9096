using Postern.Net;
using Postern.Web;

namespace Postern.Settings;

/// <summary>
/// Hands the web side the same choices `postern settings` prints: SettingsAdvisor orders the
/// configured endpoints, ClientCatalog supplies each program's words. Nothing is decided twice.
/// </summary>
public static class PublishedSettingsFactory
{
    public static PublishedSettings Create(string hostname, IReadOnlyList<EndpointInfo> endpoints)
    {
        var advisor = new SettingsAdvisor(hostname, "%EMAILADDRESS%", endpoints);
        static PublishedServer Server(ServerChoice c) => new(c.Protocol, c.Host, c.Port, c.Mode);
        return new PublishedSettings(
            hostname,
            [.. advisor.Imap.Select(Server)],
            [.. advisor.Pop3.Select(Server)],
            [.. advisor.Smtp.Select(Server)],
            [.. ClientCatalog.All.Select(p => new ProgramTerms(p.Id, p.Name, p.Field, p.ImplicitTls, p.StartTls, p.None, p.PortBehaviour, p.Warning, p.Confirmed))]);
    }
}
