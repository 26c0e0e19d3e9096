using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Postern.Cli;
using Postern.Net;

namespace Postern.Configuration;

/// <summary>
/// Reads configuration in the order DESIGN.md and STYLE.md give: built-in defaults, then
/// DIR/postern.json, then environment variables (POSTERN_ prefix, "__" for ":"), then
/// command-line switches (--Key:Sub=value).
/// </summary>
public static class ConfigLoader
{
    public const string EnvironmentPrefix = "POSTERN_";

    public static IConfigurationRoot Build(string dataDir, IEnumerable<string>? switches = null)
    {
        var builder = new ConfigurationBuilder()
            .AddInMemoryCollection(DefaultEndpoints.AsConfiguration());
        string file = DataFolder.ConfigFile(dataDir);
        if (File.Exists(file))
        {
            builder.AddJsonFile(file, optional: false, reloadOnChange: false);
        }

        builder.AddEnvironmentVariables(EnvironmentPrefix);
        var args = switches?.ToArray() ?? [];
        if (args.Length > 0)
        {
            builder.AddCommandLine(args);
        }

        try
        {
            return builder.Build();
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or JsonException)
        {
            throw new UserError($"Cannot read the configuration {file}: {(e.InnerException ?? e).Message}");
        }
    }

    public static PosternOptions Bind(IConfiguration configuration)
    {
        var options = new PosternOptions { Hostname = configuration["Hostname"] ?? new PosternOptions().Hostname };
        BindSection(configuration, "Tls", options.Tls);
        BindSection(configuration, "Limits", options.Limits);
        BindSection(configuration, "Smtp", options.Smtp);
        BindSection(configuration, "Imap", options.Imap);
        BindSection(configuration, "Pop3", options.Pop3);
        BindSection(configuration, "Auth", options.Auth);
        LimitsCheck.Validate(options);
        options.Quota = QuotaConfig.Read(configuration.GetSection("Quota"));

        // Endpoints are read key by key: the binder would silently drop an endpoint whose Mode or
        // Port does not parse, and a mail server must not quietly stop listening somewhere.
        foreach (var section in configuration.GetSection("Endpoints").GetChildren())
        {
            options.Endpoints[section.Key] = ReadEndpoint(section);
        }

        if (string.IsNullOrWhiteSpace(options.Hostname) || Uri.CheckHostName(options.Hostname) == UriHostNameType.Unknown)
        {
            throw new UserError($"The configured Hostname '{options.Hostname}' is not a valid host name.");
        }

        return options;
    }

    private static void BindSection(IConfiguration configuration, string name, object target)
    {
        try
        {
            configuration.GetSection(name).Bind(target, o => o.ErrorOnUnknownConfiguration = true);
        }
        catch (InvalidOperationException e)
        {
            throw new UserError($"The configuration section {name} has an invalid value: {(e.InnerException ?? e).Message}");
        }
    }

    private static EndpointOptions ReadEndpoint(IConfigurationSection s)
    {
        string name = s.Key;
        var e = new EndpointOptions
        {
            Protocol = s["Protocol"] ?? "",
            Address = s["Address"] ?? "*",
        };
        if (!int.TryParse(s["Port"], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65535)
        {
            throw new UserError($"Endpoint {name} has Port '{s["Port"]}', which is not a port number (1-65535).");
        }

        e.Port = port;
        if (IsWeb(e.Protocol))
        {
            // HTTP and HTTPS have no Mode: HTTPS is always implicit TLS, HTTP never carries secrets.
            if (s["Mode"] is not null)
            {
                throw new UserError($"Endpoint {name} is {e.Protocol.ToLowerInvariant()}, which has no Mode (HTTPS is always TLS from the first byte); remove its Mode.");
            }

            e.Mode = TlsMode.Implicit;
        }
        else if (!Enum.TryParse<TlsMode>(s["Mode"], ignoreCase: true, out var mode) || !Enum.IsDefined(mode))
        {
            throw new UserError($"Endpoint {name} has Mode '{s["Mode"]}'; use Implicit (TLS from the first byte) or StartTls.");
        }
        else
        {
            e.Mode = mode;
        }

        string? enabled = s["Enabled"];
        if (enabled is not null)
        {
            if (!bool.TryParse(enabled, out bool on))
            {
                throw new UserError($"Endpoint {name} has Enabled '{enabled}'; use true or false.");
            }

            e.Enabled = on;
        }

        return e;
    }

    private static bool IsWeb(string protocol) =>
        string.Equals(protocol, "http", StringComparison.OrdinalIgnoreCase) || string.Equals(protocol, "https", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Turns the configured mail endpoints into listen addresses, applying --port-offset and --bind
    /// (recorded in <paramref name="options"/> for the web endpoints, see <see cref="ResolveWebEndpoints"/>).
    /// </summary>
    public static IReadOnlyList<EndpointInfo> ResolveEndpoints(PosternOptions options, int portOffset, string? bind)
    {
        options.AppliedPortOffset = portOffset;
        options.AppliedBind = bind;
        var result = new List<EndpointInfo>();
        foreach (var (name, e) in options.Endpoints.OrderBy(kv => kv.Value.Port))
        {
            if (!e.Enabled || IsWeb(e.Protocol))
            {
                continue;
            }

            var protocol = e.Protocol.ToLowerInvariant() switch
            {
                "smtp" or "mx" or "relay" => MailProtocol.SmtpRelay,
                "submission" or "submissions" => MailProtocol.Submission,
                "imap" => MailProtocol.Imap,
                "pop3" => MailProtocol.Pop3,
                _ => throw new UserError($"Endpoint {name} has an unknown Protocol '{e.Protocol}' (use smtp, submission, imap, pop3, https or http)."),
            };
            int port = e.Port + portOffset;
            if (port is < 1 or > 65535)
            {
                throw new UserError($"Endpoint {name} would listen on port {port}, which is outside 1-65535; check its Port and --port-offset.");
            }

            result.Add(new EndpointInfo(name, protocol, ParseAddress(bind ?? e.Address, name), port, e.Mode));
        }

        CheckClash(result.Select(r => (r.Name, r.Address, r.Port)));
        return [.. result.Select(r => r with { AlternatePort = AlternateOf(r, result) })];
    }

    /// <summary>
    /// The port a client that chose the wrong security mode should use instead: the same service in
    /// the other mode (lowest port first, so 587 before 26), and for the MX port the implicit-TLS
    /// submission port.
    /// </summary>
    private static int? AlternateOf(EndpointInfo e, List<EndpointInfo> all)
    {
        var (protocol, mode) = e.Protocol == MailProtocol.SmtpRelay
            ? (MailProtocol.Submission, TlsMode.Implicit)
            : (e.Protocol, e.Mode == TlsMode.Implicit ? TlsMode.StartTls : TlsMode.Implicit);
        return all.Where(o => o.Protocol == protocol && o.Mode == mode).Select(o => (int?)o.Port).Min();
    }

    /// <summary>
    /// The HTTP and HTTPS endpoints, with the same --port-offset and --bind as the mail endpoints
    /// (DESIGN.md: the offset moves HTTP and HTTPS too). Checks that no port is used twice across all endpoints.
    /// </summary>
    public static IReadOnlyList<Web.WebEndpoint> ResolveWebEndpoints(PosternOptions options, int portOffset, string? bind)
    {
        var result = new List<Web.WebEndpoint>();
        foreach (var (name, e) in options.Endpoints.OrderBy(kv => kv.Value.Port))
        {
            if (!e.Enabled || !IsWeb(e.Protocol))
            {
                continue;
            }

            int port = e.Port + portOffset;
            if (port is < 1 or > 65535)
            {
                throw new UserError($"Endpoint {name} would listen on port {port}, which is outside 1-65535; check its Port and --port-offset.");
            }

            result.Add(new Web.WebEndpoint(name, ParseAddress(bind ?? e.Address, name), port, string.Equals(e.Protocol, "https", StringComparison.OrdinalIgnoreCase)));
        }

        var mail = ResolveEndpoints(options, portOffset, bind);
        CheckClash(mail.Select(r => (r.Name, r.Address, r.Port)).Concat(result.Select(r => (r.Name, r.Address, r.Port))));
        return result;
    }

    private static void CheckClash(IEnumerable<(string Name, IPAddress Address, int Port)> all)
    {
        // Kestrel and the mail listeners bind "*" as every address, so any two endpoints on one port clash
        // unless both name different specific addresses.
        var list = all.ToList();
        foreach (var a in list)
        {
            var other = list.FirstOrDefault(b => a.Name != b.Name && a.Port == b.Port
                && (a.Address.Equals(b.Address) || IsAny(a.Address) || IsAny(b.Address)));
            if (other.Name is not null)
            {
                throw new UserError($"Endpoints {a.Name} and {other.Name} are configured on the same port {a.Port}.");
            }
        }
    }

    private static bool IsAny(IPAddress a) => a.Equals(IPAddress.Any) || a.Equals(IPAddress.IPv6Any);

    private static IPAddress ParseAddress(string text, string endpoint)
    {
        if (text is "*" or "")
        {
            return Socket.OSSupportsIPv6 ? IPAddress.IPv6Any : IPAddress.Any;
        }

        if (string.Equals(text, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return IPAddress.Loopback;
        }

        if (IPAddress.TryParse(text.Trim('[', ']'), out var ip))
        {
            return ip;
        }

        throw new UserError($"Endpoint {endpoint} has Address '{text}', which is not an IP address (use * for all addresses).");
    }
}
