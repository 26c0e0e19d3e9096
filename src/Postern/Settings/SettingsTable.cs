using System.Text;
using Postern.Net;

namespace Postern.Settings;

/// <summary>The table `serve` prints once listening: what to type into an email program for each endpoint.</summary>
public static class SettingsTable
{
    public static string Render(string hostname, IReadOnlyList<EndpointInfo> endpoints, string? exampleUser)
    {
        var rows = new List<string[]>
        {
            new[] { "Service", "Host", "Port", "Security" }.Concat(ClientCatalog.ForServeTable.Select(p => p.Name)).ToArray(),
        };
        // Incoming first (IMAP before POP3), then outgoing, then MX; implicit TLS before STARTTLS.
        var ordered = endpoints
            .OrderBy(e => e.Protocol switch { MailProtocol.Imap => 0, MailProtocol.Pop3 => 1, MailProtocol.Submission => 2, _ => 3 })
            .ThenBy(e => e.Mode == TlsMode.Implicit ? 0 : 1)
            .ThenBy(e => e.Port)
            .ToList();
        foreach (var e in ordered)
        {
            string service = e.Protocol switch
            {
                MailProtocol.Imap => "IMAP (incoming)",
                MailProtocol.Pop3 => "POP3 (incoming)",
                MailProtocol.Submission => "SMTP (outgoing)",
                _ => "SMTP (other servers)",
            };
            string mode = e.Mode == TlsMode.Implicit ? "implicit TLS" : "STARTTLS";
            var cells = new List<string> { service, hostname, e.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), mode };
            cells.AddRange(ClientCatalog.ForServeTable.Select(p => e.Protocol == MailProtocol.SmtpRelay ? "-" : p.Label(e.Mode)));
            rows.Add([.. cells]);
        }

        int[] widths = Enumerable.Range(0, rows[0].Length).Select(i => rows.Max(r => r[i].Length)).ToArray();
        var sb = new StringBuilder();
        foreach (var row in rows)
        {
            sb.Append("  ");
            sb.AppendJoin("  ", row.Select((c, i) => c.PadRight(widths[i])));
            sb.Length = sb.ToString().TrimEnd().Length;
            sb.Append('\n');
        }

        sb.Append('\n');
        sb.Append("  User name: the full email address").Append(exampleUser is null ? "" : $" (e.g. {exampleUser})").Append(". Password: normal password.\n");
        var implicitPorts = ordered.Where(e => e.Mode == TlsMode.Implicit && e.Protocol != MailProtocol.SmtpRelay).Select(e => e.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        if (implicitPorts.Count > 0)
        {
            sb.Append("  Prefer the implicit TLS ports (").AppendJoin(", ", implicitPorts).Append(").");
        }

        var mx = ordered.FirstOrDefault(e => e.Protocol == MailProtocol.SmtpRelay);
        if (mx is not null)
        {
            sb.Append($" Port {mx.Port} is for other mail servers, not for email programs.");
        }

        sb.Append('\n');
        return sb.ToString();
    }
}
