using Postern.Net;

namespace Postern.Check;

/// <summary>One endpoint the check probes: the standard port and the mode it should speak there.</summary>
public sealed record CheckTarget(string Name, MailProtocol Protocol, int StandardPort, TlsMode ExpectedMode)
{
    /// <summary>The eight endpoints of DESIGN.md section 1 (HTTP/HTTPS are probed by AutoconfigProbe).</summary>
    public static IReadOnlyList<CheckTarget> All { get; } =
    [
        new("imaps", MailProtocol.Imap, 993, TlsMode.Implicit),
        new("imap", MailProtocol.Imap, 143, TlsMode.StartTls),
        new("pop3s", MailProtocol.Pop3, 995, TlsMode.Implicit),
        new("pop3", MailProtocol.Pop3, 110, TlsMode.StartTls),
        new("submissions", MailProtocol.Submission, 465, TlsMode.Implicit),
        new("submission", MailProtocol.Submission, 587, TlsMode.StartTls),
        new("submission-alt", MailProtocol.Submission, 26, TlsMode.StartTls),
        new("smtp", MailProtocol.SmtpRelay, 25, TlsMode.StartTls),
    ];

    public string ProtocolId => Protocol switch
    {
        MailProtocol.Imap => "imap",
        MailProtocol.Pop3 => "pop3",
        MailProtocol.Submission => "submission",
        _ => "smtp",
    };

    public string Role => Protocol switch
    {
        MailProtocol.Imap or MailProtocol.Pop3 => "incoming",
        MailProtocol.Submission => "outgoing",
        _ => "mx",
    };

    /// <summary>How a person names it: "IMAP 993".</summary>
    public string Title => Protocol switch
    {
        MailProtocol.Imap => "IMAP",
        MailProtocol.Pop3 => "POP3",
        MailProtocol.Submission => "SMTP",
        _ => "SMTP (MX)",
    } + " " + StandardPort.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static string ModeId(TlsMode mode) => mode == TlsMode.Implicit ? Modes.ImplicitTls : Modes.StartTls;
}

/// <summary>The mode names used in the report (expectedMode, actualMode).</summary>
public static class Modes
{
    public const string ImplicitTls = "implicit-tls";
    public const string StartTls = "starttls";
    public const string Plaintext = "plaintext";
    public const string Unknown = "unknown";

    public static string Describe(string? mode) => mode switch
    {
        ImplicitTls => "implicit TLS",
        StartTls => "STARTTLS",
        Plaintext => "plaintext only",
        Unknown => "unrecognised",
        _ => "no answer",
    };
}
