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
        if (!Enum.TryParse<TlsMode>(s["Mode"], ignoreCase: true, out var mode) || !Enum.IsDefined(mode))
        {
            throw new UserError($"Endpoint {name} has Mode '{s["Mode"]}'; use Implicit (TLS from the first byte) or StartTls.");
        }

        e.Mode = mode;
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

    /// <summary>Turns the configured endpoints into listen addresses, applying --port-offset and --bind.</summary>
    public static IReadOnlyList<EndpointInfo> ResolveEndpoints(PosternOptions options, int portOffset, string? bind)
    {
        var result = new List<EndpointInfo>();
        foreach (var (name, e) in options.Endpoints.OrderBy(kv => kv.Value.Port))
        {
            if (!e.Enabled)
            {
                continue;
            }

            var protocol = e.Protocol.ToLowerInvariant() switch
            {
                "smtp" or "mx" or "relay" => MailProtocol.SmtpRelay,
                "submission" or "submissions" => MailProtocol.Submission,
                "imap" => MailProtocol.Imap,
                "pop3" => MailProtocol.Pop3,
                _ => throw new UserError($"Endpoint {name} has an unknown Protocol '{e.Protocol}' (use smtp, submission, imap or pop3)."),
            };
            int port = e.Port + portOffset;
            if (port is < 1 or > 65535)
            {
                throw new UserError($"Endpoint {name} would listen on port {port}, which is outside 1-65535; check its Port and --port-offset.");
            }

            result.Add(new EndpointInfo(name, protocol, ParseAddress(bind ?? e.Address, name), port, e.Mode));
        }

        var clash = result.GroupBy(r => (r.Address, r.Port)).FirstOrDefault(g => g.Count() > 1);
        if (clash is not null)
        {
            throw new UserError($"Endpoints {string.Join(" and ", clash.Select(c => c.Name))} are configured on the same port {clash.Key.Port}.");
        }

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
