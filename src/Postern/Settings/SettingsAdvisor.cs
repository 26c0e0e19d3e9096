using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Postern.Net;

namespace Postern.Settings;

/// <summary>One server a user types into an email program.</summary>
public sealed record ServerChoice(
    [property: JsonPropertyName("protocol")] string Protocol,
    [property: JsonPropertyName("host")] string Host,
    [property: JsonPropertyName("port")] int Port,
    [property: JsonPropertyName("security")] string Security,
    [property: JsonPropertyName("preferred")] bool Preferred)
{
    [JsonIgnore]
    public TlsMode Mode => Security == "implicit-tls" ? TlsMode.Implicit : TlsMode.StartTls;
}

/// <summary>
/// What `postern settings` and the settings page tell a user: incoming (IMAP first, POP3 as the
/// alternative) and outgoing servers, implicit TLS first (RFC 8314), in each program's own words.
/// Port 25 is never offered to users, and neither is a plaintext option.
/// </summary>
public sealed class SettingsAdvisor
{
    public SettingsAdvisor(string hostname, string userName, IReadOnlyList<EndpointInfo> endpoints)
    {
        Hostname = hostname;
        UserName = userName;
        ServerChoice Choice(EndpointInfo e, string protocol) =>
            new(protocol, hostname, e.Port, e.Mode == TlsMode.Implicit ? "implicit-tls" : "starttls", false);
        // Implicit TLS first (RFC 8314), then the standard endpoints in their usual order (587 before 26).
        static int Rank(EndpointInfo e)
        {
            int i = Configuration.DefaultEndpoints.All.Select(d => d.Name).ToList().IndexOf(e.Name);
            return i < 0 ? int.MaxValue : i;
        }

        var ordered = endpoints.OrderBy(e => e.Mode == TlsMode.Implicit ? 0 : 1).ThenBy(Rank).ThenBy(e => e.Port).ToList();
        Imap = Prefer(ordered.Where(e => e.Protocol == MailProtocol.Imap).Select(e => Choice(e, "IMAP")));
        Pop3 = Prefer(ordered.Where(e => e.Protocol == MailProtocol.Pop3).Select(e => Choice(e, "POP3")));
        Smtp = Prefer(ordered.Where(e => e.Protocol == MailProtocol.Submission).Select(e => Choice(e, "SMTP")));
    }

    public string Hostname { get; }

    public string UserName { get; }

    public IReadOnlyList<ServerChoice> Imap { get; }

    public IReadOnlyList<ServerChoice> Pop3 { get; }

    public IReadOnlyList<ServerChoice> Smtp { get; }

    private static List<ServerChoice> Prefer(IEnumerable<ServerChoice> choices) =>
        [.. choices.Select((c, i) => i == 0 ? c with { Preferred = true } : c)];

    /// <summary>Instructions for one program, in its own labels.</summary>
    public string RenderFor(ClientProgram p)
    {
        var sb = new StringBuilder();
        sb.Append($"{p.Name}: in \"{p.Field}\" choose").Append('\n');
        void Lines(string title, IReadOnlyList<ServerChoice> choices)
        {
            foreach (var c in choices)
            {
                string lead = c.Preferred ? $"  {title,-26}" : $"  {"  or",-26}";
                sb.Append($"{lead}server {c.Host}  port {c.Port,-5}  \"{p.Label(c.Mode)}\"\n");
            }
        }

        Lines("Incoming (IMAP):", Imap);
        Lines("Incoming (POP3 instead):", Pop3);
        Lines("Outgoing (SMTP):", Smtp);
        sb.Append($"  User name: {UserName} (incoming and outgoing). Authentication: normal password.\n");
        if (!p.Confirmed)
        {
            sb.Append("  These labels are not confirmed for this program; the port and server above are what matter.\n");
        }

        if (p.Warning is not null)
        {
            sb.Append($"  Watch out: {p.Warning}\n");
        }

        sb.Append($"  Port: {p.PortBehaviour}\n");
        return sb.ToString();
    }

    /// <summary>
    /// A table of every program's label for the two modes: the label depends only on the mode,
    /// so one column per mode lists its ports.
    /// </summary>
    public string RenderTable(IReadOnlyList<ClientProgram> programs)
    {
        var choices = Imap.Concat(Pop3).Concat(Smtp).ToList();
        string Ports(TlsMode mode) => string.Join(", ", choices.Where(c => c.Mode == mode).GroupBy(c => c.Protocol)
            .Select(g => $"{g.Key} {string.Join("/", g.Select(c => c.Port))}"));
        var modes = new[] { TlsMode.Implicit, TlsMode.StartTls }.Where(m => choices.Any(c => c.Mode == m)).ToList();
        var header = new List<string> { "Program" };
        header.AddRange(modes.Select(m => (m == TlsMode.Implicit ? "Implicit TLS: " : "STARTTLS: ") + Ports(m)));
        var rows = new List<string[]> { header.ToArray() };
        foreach (var p in programs)
        {
            var row = new List<string> { p.Name + (p.Confirmed ? "" : " (?)") };
            row.AddRange(modes.Select(p.Label));
            rows.Add([.. row]);
        }

        int[] widths = Enumerable.Range(0, header.Count).Select(i => rows.Max(r => r[i].Length)).ToArray();
        var sb = new StringBuilder();
        sb.Append($"Settings for {UserName} on server {Hostname}. Prefer {string.Join(", ", choices.Where(c => c.Preferred).Select(c => $"{c.Protocol} port {c.Port}"))}.\n\n");
        foreach (var row in rows)
        {
            sb.Append(("  " + string.Join("  ", row.Select((c, i) => c.PadRight(widths[i])))).TrimEnd()).Append('\n');
        }

        sb.Append("\n  (?) = label not confirmed for that program. User name: ").Append(UserName).Append(". Authentication: normal password.\n");
        sb.Append("  For one program's exact steps: postern settings ").Append(UserName.Contains('@') ? UserName : "DOMAIN").Append(" --client NAME\n");
        return sb.ToString();
    }

    public string RenderJson(IReadOnlyList<ClientProgram> programs)
    {
        var doc = new
        {
            hostname = Hostname,
            username = UserName,
            incoming = Imap.Concat(Pop3).ToList(),
            outgoing = Smtp,
            clients = programs.Select(p => new
            {
                id = p.Id,
                name = p.Name,
                field = p.Field,
                implicitTls = p.ImplicitTls,
                startTls = p.StartTls,
                portBehaviour = p.PortBehaviour,
                warning = p.Warning,
                confirmed = p.Confirmed,
            }),
        };
        return JsonSerializer.Serialize(doc, new JsonSerializerOptions { WriteIndented = true });
    }
}
