using System.Globalization;
using System.Text;
using System.Text.Json;
using Postern.Settings;

namespace Postern.Check;

/// <summary>The two faces of a CheckReport: a terminal report and JSON (property names in CheckModel.cs).</summary>
public static class CheckRenderer
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    public static string Json(CheckReport report) => JsonSerializer.Serialize(report, JsonOptions);

    /// <summary>One progress line for stderr, as each endpoint finishes.</summary>
    public static string Progress(EndpointResult e)
    {
        string title = CheckTarget.All.First(t => t.Name == e.Name).Title;
        return $"  checked {title,-14} port {e.Port,-5}  {Summary(e)}";
    }

    public static string Text(CheckReport report)
    {
        var sb = new StringBuilder();
        sb.Append($"Mail server check of {report.Host}");
        if (report.ServerName != report.Host)
        {
            sb.Append($" (certificates checked for {report.ServerName})");
        }

        if (report.PortOffset != 0)
        {
            sb.Append($", port offset {report.PortOffset}");
        }

        sb.Append("\n\n");
        var rows = new List<string[]> { new[] { "Endpoint", "Port", "Expected", "Works as", "TLS", "Certificate", "Result" } };
        foreach (var e in report.Endpoints)
        {
            rows.Add(
            [
                CheckTarget.All.First(t => t.Name == e.Name).Title,
                e.Port.ToString(CultureInfo.InvariantCulture),
                Modes.Describe(e.ExpectedMode),
                e.Reachable ? Modes.Describe(e.ActualMode) : "no answer",
                e.Tls?.Version ?? "-",
                Certificate(e.Tls?.Certificate),
                e.Secure ? "secure" : e.Reachable ? "NOT SECURE" : "-",
            ]);
        }

        int[] widths = Enumerable.Range(0, rows[0].Length).Select(i => rows.Max(r => r[i].Length)).ToArray();
        foreach (var row in rows)
        {
            sb.Append(("  " + string.Join("  ", row.Select((c, i) => c.PadRight(widths[i])))).TrimEnd()).Append('\n');
        }

        // Per endpoint: the session and its errors and warnings. Notes (info) are usually the
        // same on every endpoint (one certificate), so each distinct one is printed once.
        var detailed = report.Endpoints.Where(e => e.Tls is not null || e.Findings.Any(f => f.Severity != Finding.Info)).ToList();
        if (detailed.Count > 0)
        {
            sb.Append("\nDetails:\n");
            foreach (var e in detailed)
            {
                string title = CheckTarget.All.First(t => t.Name == e.Name).Title;
                sb.Append($"  {title} (port {e.Port})");
                if (e.Tls is { } tls)
                {
                    sb.Append($": {tls.Version}, {tls.CipherSuite}");
                    if (e.StartTlsInjection != "not-tested")
                    {
                        sb.Append(e.StartTlsInjection == "executed" ? ", STARTTLS injection EXECUTED" : ", STARTTLS injection not executed");
                    }

                    if (e.PasswordBeforeTls == false)
                    {
                        sb.Append(", no login before TLS");
                    }
                }

                sb.Append('\n');
                foreach (var f in e.Findings.Where(f => f.Severity != Finding.Info))
                {
                    sb.Append($"    {f.Severity}: {f.Message}\n");
                }
            }
        }

        var notes = report.Endpoints.SelectMany(e => e.Findings).Where(f => f.Severity == Finding.Info).Select(f => f.Message).Distinct().ToList();
        foreach (var n in notes)
        {
            sb.Append("  note: ").Append(n).Append('\n');
        }

        sb.Append("\nAutoconfig and Autodiscover:\n");
        foreach (var a in report.Autoconfig)
        {
            sb.Append($"  {a.Method,-4} {a.Url}\n       {a.Detail}\n");
        }

        sb.Append('\n');
        if (report.Secure)
        {
            sb.Append("Verdict: email programs can connect securely (incoming and outgoing).\n");
        }
        else
        {
            sb.Append("Verdict: NOT usable securely.\n");
            foreach (var p in report.Problems)
            {
                sb.Append("  ").Append(p).Append('\n');
            }
        }

        var advisor = CheckVerdict.Advisor(report);
        if (advisor is not null)
        {
            sb.Append("\nWhat to choose in each email program (only endpoints that work securely):\n");
            // The table's last hint names `postern settings`, which only knows servers run here.
            var table = advisor.RenderTable(ClientCatalog.All).Split('\n')
                .Where(l => !l.StartsWith("  For one program's exact steps", StringComparison.Ordinal));
            sb.AppendJoin('\n', table);
        }

        return sb.ToString();
    }

    private static string Summary(EndpointResult e)
    {
        if (!e.Reachable)
        {
            return e.Findings.FirstOrDefault()?.Message ?? "no answer";
        }

        var parts = new List<string> { Modes.Describe(e.ActualMode) };
        if (e.Tls is not null)
        {
            parts.Add(e.Tls.Version);
        }

        parts.Add(e.Secure ? "secure" : "NOT SECURE");
        string summary = string.Join(", ", parts);
        var worst = e.Findings.FirstOrDefault(f => f.Severity == Finding.Error) ?? e.Findings.FirstOrDefault(f => f.Severity == Finding.Warning);
        return worst is null ? summary : $"{summary}: {worst.Message}";
    }

    private static string Certificate(CertificateResult? c)
    {
        if (c is null)
        {
            return "-";
        }

        var notes = new List<string>();
        notes.Add(c.Trusted ? (c.TrustAnchor == "ca-file" ? "trusted (--ca)" : "trusted") : "UNTRUSTED");
        if (!c.NameMatches)
        {
            notes.Add("WRONG NAME");
        }

        if (c.SelfSigned)
        {
            notes.Add("self-signed");
        }

        notes.Add(c.Expired ? "EXPIRED" : $"{c.DaysUntilExpiry} days left");
        return string.Join(", ", notes);
    }
}
