using Postern.Net;

namespace Postern.Configuration;

/// <summary>The endpoint table of DESIGN.md section 1: the ports and modes users know.</summary>
public static class DefaultEndpoints
{
    public static readonly IReadOnlyList<(string Name, string Protocol, int Port, TlsMode Mode)> All =
    [
        ("imaps", "imap", 993, TlsMode.Implicit),
        ("imap", "imap", 143, TlsMode.StartTls),
        ("pop3s", "pop3", 995, TlsMode.Implicit),
        ("pop3", "pop3", 110, TlsMode.StartTls),
        ("submissions", "submission", 465, TlsMode.Implicit),
        ("submission", "submission", 587, TlsMode.StartTls),
        ("submission-alt", "submission", 26, TlsMode.StartTls),
        ("smtp", "smtp", 25, TlsMode.StartTls),
    ];

    /// <summary>
    /// The web endpoints (DESIGN.md section 1): HTTPS for the settings page and every autoconfig
    /// document, HTTP only for the autoconfig documents clients fetch over plain HTTP. They have no
    /// Mode: HTTPS is always TLS from the first byte, HTTP never carries anything secret.
    /// </summary>
    public static readonly IReadOnlyList<(string Name, string Protocol, int Port)> Web =
    [
        ("https", "https", 443),
        ("http", "http", 80),
    ];

    /// <summary>The defaults as configuration keys, the lowest layer of configuration.</summary>
    public static IEnumerable<KeyValuePair<string, string?>> AsConfiguration()
    {
        foreach (var (name, protocol, port, mode) in All)
        {
            yield return new($"Endpoints:{name}:Protocol", protocol);
            yield return new($"Endpoints:{name}:Port", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
            yield return new($"Endpoints:{name}:Mode", mode.ToString());
            yield return new($"Endpoints:{name}:Address", "*");
        }

        foreach (var (name, protocol, port) in Web)
        {
            yield return new($"Endpoints:{name}:Protocol", protocol);
            yield return new($"Endpoints:{name}:Port", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
            yield return new($"Endpoints:{name}:Address", "*");
        }
    }
}
