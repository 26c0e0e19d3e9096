using System.Text;
using Postern.Net;

namespace Postern.Settings;

/// <summary>
/// The DNS records a mail domain served by Postern should publish, in zone-file form: MX,
/// and the RFC 6186 / RFC 8314 SRV records (implicit TLS preferred). Ports are the configured ones, so a non-standard set-up is right too.
/// </summary>
public static class DnsRecords
{
    public static string Render(string domain, string hostname, IReadOnlyList<EndpointInfo> endpoints)
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

        // autoconfig./autodiscover. names and _autodiscover._tcp come with the HTTPS side (issue 4),
        // which serves the documents they point to; until then they would only send clients astray.
        return sb.ToString();
    }
}
