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
        var options = new PosternOptions();
        try
        {
            configuration.Bind(options);
        }
        catch (InvalidOperationException e)
        {
            throw new UserError($"The configuration has an invalid value: {(e.InnerException ?? e).Message}");
        }

        if (string.IsNullOrWhiteSpace(options.Hostname) || Uri.CheckHostName(options.Hostname) == UriHostNameType.Unknown)
        {
            throw new UserError($"The configured Hostname '{options.Hostname}' is not a valid host name.");
        }

        return options;
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

        return result;
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
