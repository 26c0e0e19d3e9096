using System.Text;
using Postern.Net;

namespace Postern.Settings;

/// <summary>
/// The DNS records a mail domain served by Postern should publish, in zone-file form: MX,
/// the RFC 6186 / RFC 8314 SRV records (implicit TLS preferred), and the names email programs
/// look up for automatic set-up (autoconfig., autodiscover., _autodiscover._tcp, and the PACC
/// draft's ua-auto-config. with its digest record). Ports are the configured ones, so a
/// non-standard set-up is right too.
/// </summary>
public static class DnsRecords
{
    public static string Render(string domain, string hostname, IReadOnlyList<EndpointInfo> endpoints) =>
        Render(domain, hostname, endpoints, []);

    public static string Render(string domain, string hostname, IReadOnlyList<EndpointInfo> endpoints, IReadOnlyList<Web.WebEndpoint> web)
    {
        string host = hostname.TrimEnd('.') + ".";
        string d = domain.TrimEnd('.') + ".";
        var sb = new StringBuilder();
        sb.Append($"; DNS records for {domain}, served by Postern on {hostname}.\n");
        sb.Append($"; {hostname} itself needs A/AAAA records for the server's public addresses.\n\n");
        sb.Append($"{d,-32} 3600 IN MX    10 {host}\n\n");
        sb.Append("; RFC 6186 / RFC 8314 service records: implicit TLS is preferred (lower priority value).\n");
        foreach (var e in endpoints.Where(e => e.Protocol != MailProtocol.SmtpRelay).OrderBy(e => e.Protocol switch { MailProtocol.Imap => 0, MailProtocol.Pop3 => 1, _ => 2 }).ThenBy(e => e.Mode).ThenBy(e => e.Port))
        {
            string? service = (e.Protocol, e.Mode) switch
            {
                (MailProtocol.Imap, TlsMode.Implicit) => "_imaps",
                (MailProtocol.Imap, TlsMode.StartTls) => "_imap",
                (MailProtocol.Pop3, TlsMode.Implicit) => "_pop3s",
                (MailProtocol.Pop3, TlsMode.StartTls) => "_pop3",
                (MailProtocol.Submission, TlsMode.Implicit) => "_submissions",
                (MailProtocol.Submission, TlsMode.StartTls) when e.Name == "submission" => "_submission",
                _ => null, // the alternative port 26 has no SRV name
            };
            if (service is null)
            {
                continue;
            }

            int priority = (e.Mode == TlsMode.Implicit ? 0 : 10) + (e.Protocol == MailProtocol.Pop3 ? 20 : 0);
            sb.Append($"{service + "._tcp." + d,-32} 3600 IN SRV   {priority} 1 {e.Port} {host}\n");
        }

        // The automatic set-up names point at this server's HTTPS endpoint, which serves every
        // document they lead to (Thunderbird autoconfig also tries plain HTTP, served on the http endpoint).
        var https = web.FirstOrDefault(w => w.IsHttps);
        if (https is not null)
        {
            // A CNAME is only legal where no other record lives; if the hostname is the domain itself, an A/AAAA copy is needed instead.
            bool sameName = string.Equals(host, d, StringComparison.OrdinalIgnoreCase);
            sb.Append("\n; Automatic set-up: Thunderbird and others fetch https://autoconfig.").Append(domain).Append("/mail/config-v1.1.xml,\n");
            sb.Append("; Outlook https://autodiscover.").Append(domain).Append("/autodiscover/autodiscover.xml. The certificate must cover these names.\n");
            foreach (var name in new[] { "autoconfig", "autodiscover", "ua-auto-config" })
            {
                sb.Append(sameName
                    ? $"; {name + "." + d,-32} needs the same A/AAAA records as {host}\n"
                    : $"{name + "." + d,-32} 3600 IN CNAME {host}\n");
            }

            sb.Append($"{"_autodiscover._tcp." + d,-32} 3600 IN SRV   0 1 {https.Port} {host}\n");
            // draft-ietf-mailmaint-pacc: the TXT record authenticates the exact bytes served.
            var body = Web.Documents.PaccDocument.Render(PublishedSettingsFactory.Create(hostname, endpoints), domain);
            sb.Append($"{"_ua-auto-config." + d,-32} 3600 IN TXT   \"{Web.Documents.PaccDocument.DigestRecord(body)}\"\n");
        }

        return sb.ToString();
    }
}
