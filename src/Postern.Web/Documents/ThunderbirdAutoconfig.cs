using System.Globalization;
using System.Xml;
using Postern.Net;

namespace Postern.Web.Documents;

/// <summary>
/// Thunderbird's config-v1.1.xml (clients.md 2.1). IMAP comes first because Geary reads only the
/// first incomingServer; socketType is only SSL or STARTTLS because Thunderbird for Android rejects
/// the whole file on anything else (and Postern never offers plaintext anyway).
/// </summary>
public static class ThunderbirdAutoconfig
{
    public static byte[] Render(PublishedSettings s, IReadOnlyList<string> domains) => XmlOutput.Write(w =>
    {
        w.WriteStartElement("clientConfig");
        w.WriteAttributeString("version", "1.1");
        w.WriteStartElement("emailProvider");
        w.WriteAttributeString("id", domains[0]);
        foreach (var d in domains)
        {
            w.WriteElementString("domain", d);
        }

        w.WriteElementString("displayName", $"{domains[0]} mail on {s.Hostname}");
        w.WriteElementString("displayShortName", domains[0]);
        foreach (var server in s.Imap)
        {
            Server(w, "incomingServer", "imap", server);
        }

        foreach (var server in s.Pop3)
        {
            Server(w, "incomingServer", "pop3", server);
        }

        foreach (var server in s.Smtp)
        {
            Server(w, "outgoingServer", "smtp", server);
        }

        w.WriteEndElement();
        w.WriteEndElement();
    });

    private static void Server(XmlWriter w, string element, string type, PublishedServer server)
    {
        w.WriteStartElement(element);
        w.WriteAttributeString("type", type);
        w.WriteElementString("hostname", server.Host);
        w.WriteElementString("port", server.Port.ToString(CultureInfo.InvariantCulture));
        w.WriteElementString("socketType", server.Mode == TlsMode.Implicit ? "SSL" : "STARTTLS");
        w.WriteElementString("username", "%EMAILADDRESS%");
        // The password travels inside TLS on every endpoint, so "cleartext" (AUTH PLAIN/LOGIN) is safe here.
        w.WriteElementString("authentication", "password-cleartext");
        w.WriteEndElement();
    }
}
