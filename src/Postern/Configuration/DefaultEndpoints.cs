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
    }
}
