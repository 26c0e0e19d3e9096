using System.Globalization;
using System.Text.Json;
using System.Xml;
using Postern.Net;

namespace Postern.Web.Documents;

/// <summary>Microsoft Autodiscover: the v1 POX request and response, and the v2 JSON redirect (clients.md 2.2).</summary>
public static class Autodiscover
{
    private const string ResponseNs = "http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006";
    private const string OutlookNs = "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a";

    /// <summary>Largest POX request body read; Outlook's requests are a few hundred bytes.</summary>
    public const int MaxRequestBytes = 16 * 1024;

    /// <summary>
    /// Reads EMailAddress from a POX request. The body is parsed with DTDs prohibited and no resolver,
    /// so no entity expansion and no external fetches. Returns null (and a reason) if it is not usable.
    /// </summary>
    public static string? ReadEmailAddress(byte[] body, out string? error)
    {
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            MaxCharactersInDocument = MaxRequestBytes,
            MaxCharactersFromEntities = 0,
            IgnoreComments = true,
            IgnoreProcessingInstructions = true,
        };
        try
        {
            using var reader = XmlReader.Create(new MemoryStream(body), settings);
            while (reader.Read())
            {
                if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "EMailAddress")
                {
                    error = null;
                    return reader.ReadElementContentAsString();
                }
            }

            error = "The Autodiscover request has no EMailAddress element.";
            return null;
        }
        catch (XmlException)
        {
            error = "The Autodiscover request is not well-formed XML (DTDs are not accepted).";
            return null;
        }
    }

    /// <summary>
    /// The POX response. Encryption is SSL for implicit TLS and TLS for STARTTLS: Outlook reads "TLS"
    /// as STARTTLS, and "TLS" on 993/995/465 makes it wait for a plaintext greeting that never comes
    /// (MS-OXDSCLI 2.2.4.1.1.2.6.22; stalwartlabs/stalwart#3248). Never None.
    /// </summary>
    public static byte[] RenderPox(PublishedSettings s, string address) => XmlOutput.Write(w =>
    {
        w.WriteStartElement("Autodiscover", ResponseNs);
        w.WriteStartElement("Response", OutlookNs);
        w.WriteStartElement("Account", OutlookNs);
        w.WriteElementString("AccountType", OutlookNs, "email");
        w.WriteElementString("Action", OutlookNs, "settings");
        foreach (var (type, list) in new[] { ("IMAP", s.Imap), ("POP3", s.Pop3), ("SMTP", s.Smtp) })
        {
            foreach (var server in list)
            {
                w.WriteStartElement("Protocol", OutlookNs);
                w.WriteElementString("Type", OutlookNs, type);
                w.WriteElementString("Server", OutlookNs, server.Host);
                w.WriteElementString("Port", OutlookNs, server.Port.ToString(CultureInfo.InvariantCulture));
                w.WriteElementString("DomainRequired", OutlookNs, "off");
                w.WriteElementString("LoginName", OutlookNs, address);
                w.WriteElementString("SPA", OutlookNs, "off");
                w.WriteElementString("SSL", OutlookNs, "on");
                w.WriteElementString("Encryption", OutlookNs, server.Mode == TlsMode.Implicit ? "SSL" : "TLS");
                w.WriteElementString("AuthRequired", OutlookNs, "on");
                if (type == "SMTP")
                {
                    w.WriteElementString("UsePOPAuth", OutlookNs, "on");
                    w.WriteElementString("SMTPLast", OutlookNs, "off");
                }

                w.WriteEndElement();
            }
        }

        w.WriteEndElement();
        w.WriteEndElement();
        w.WriteEndElement();
    });

    /// <summary>Autodiscover v2: only "AutodiscoverV1" is served, pointing at the POX URL; other protocols are 400 InvalidProtocol.</summary>
    public static (int Status, byte[] Body) RenderV2(string protocol, string poxUrl)
    {
        if (string.Equals(protocol, "AutodiscoverV1", StringComparison.OrdinalIgnoreCase))
        {
            return (200, JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["Protocol"] = "AutodiscoverV1", ["Url"] = poxUrl }));
        }

        return (400, JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string>
        {
            ["ErrorCode"] = "InvalidProtocol",
            ["ErrorMessage"] = "The given protocol value is invalid. Supported values are 'AutodiscoverV1'.",
        }));
    }
}
