using System.Net;
using Postern.Net;

namespace Postern.Web;

/// <summary>One server a client is told to use: the same choice `postern settings` prints.</summary>
public sealed record PublishedServer(string Protocol, string Host, int Port, TlsMode Mode);

/// <summary>One email program's words for the connection-security modes (from client-terms.json).</summary>
public sealed record ProgramTerms(
    string Id,
    string Name,
    string Field,
    string ImplicitTls,
    string StartTls,
    string None,
    string PortBehaviour,
    string? Warning,
    bool Confirmed)
{
    public string Label(TlsMode mode) => mode == TlsMode.Implicit ? ImplicitTls : StartTls;
}

/// <summary>
/// Everything the web side publishes, built by the host from the configured endpoints (SettingsAdvisor)
/// and the terminology table (ClientCatalog), so the documents, the page and `postern settings` agree.
/// Each list is in the order clients should try it: implicit TLS first (RFC 8314), then STARTTLS.
/// </summary>
public sealed record PublishedSettings(
    string Hostname,
    IReadOnlyList<PublishedServer> Imap,
    IReadOnlyList<PublishedServer> Pop3,
    IReadOnlyList<PublishedServer> Smtp,
    IReadOnlyList<ProgramTerms> Programs)
{
    public IEnumerable<PublishedServer> Incoming => Imap.Concat(Pop3);
}

/// <summary>An HTTP or HTTPS listen address (the "http"/"https" entries of the endpoint table).</summary>
public sealed record WebEndpoint(string Name, IPAddress Address, int Port, bool IsHttps)
{
    public override string ToString() => $"{Name} ({(IsHttps ? "HTTPS" : "HTTP")}) on {new IPEndPoint(Address, Port)}";
}
