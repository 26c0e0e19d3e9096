using Postern.Net;
using Postern.Web;
using Postern.Web.Documents;

namespace Postern.Fuzz.Targets;

/// <summary>
/// The Autodiscover v1 POST body (POX XML) as WebRequestHandler reads it: size cap, the hardened
/// XmlReader, the address check, then the response that echoes the address.
/// </summary>
public sealed class AutodiscoverTarget : IFuzzTarget
{
    private static readonly PublishedSettings Settings = new(
        "mail.example.org",
        [new PublishedServer("IMAP", "mail.example.org", 993, TlsMode.Implicit), new PublishedServer("IMAP", "mail.example.org", 143, TlsMode.StartTls)],
        [new PublishedServer("POP3", "mail.example.org", 995, TlsMode.Implicit)],
        [new PublishedServer("SMTP", "mail.example.org", 465, TlsMode.Implicit), new PublishedServer("SMTP", "mail.example.org", 587, TlsMode.StartTls)],
        []);

    public string Name => "autodiscover";

    public void Run(ReadOnlySpan<byte> input)
    {
        if (input.Length > Autodiscover.MaxRequestBytes)
        {
            return; // answered 413 before parsing
        }

        string? address = Autodiscover.ReadEmailAddress(input.ToArray(), out string? error);
        if (address is null)
        {
            if (string.IsNullOrEmpty(error))
            {
                throw new InvalidOperationException("ReadEmailAddress refused a body without saying why.");
            }

            return;
        }

        if (EmailAddress.TryParse(address) is { } parsed)
        {
            Autodiscover.RenderPox(Settings, parsed.Address);
        }
    }
}
