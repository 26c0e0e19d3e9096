using Postern.Net;

namespace Postern.Settings;

/// <summary>
/// What popular email programs call each security mode (../shared/reference/clients.md has the
/// sources). "SSL" usually means implicit TLS and "TLS" usually means STARTTLS; Apple Mail has
/// a single switch and lets the port decide.
/// </summary>
public static class ClientTerms
{
    public sealed record Program(string Name, string ImplicitTls, string StartTls);

    public static readonly IReadOnlyList<Program> ForServeTable =
    [
        new("Thunderbird", "SSL/TLS", "STARTTLS"),
        new("Outlook", "SSL/TLS (older: SSL)", "STARTTLS (older: TLS)"),
        new("Apple Mail", "Use TLS/SSL: on", "Use TLS/SSL: on"),
    ];

    public static string Label(Program program, TlsMode mode) => mode == TlsMode.Implicit ? program.ImplicitTls : program.StartTls;
}
