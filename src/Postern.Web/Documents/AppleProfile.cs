using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Xml;

namespace Postern.Web.Documents;

/// <summary>
/// An Apple configuration profile (.mobileconfig) with one com.apple.mail.managed payload
/// (apple/device-management mdm/profiles/com.apple.mail.managed.yaml): the preferred IMAP and SMTP
/// servers, UseSSL true (the port picks implicit TLS or STARTTLS), and no password: the device asks
/// for it, and an unsigned, unencrypted profile must never carry one.
/// </summary>
public static class AppleProfile
{
    public const string ContentType = "application/x-apple-aspen-config";

    public static byte[] Render(PublishedSettings s, string address)
    {
        var imap = s.Imap.FirstOrDefault();
        var smtp = s.Smtp.FirstOrDefault();
        if (imap is null || smtp is null)
        {
            throw new InvalidOperationException("A profile needs an IMAP and an SMTP endpoint.");
        }

        // Stable identifiers: downloading the profile again replaces the installed one instead of adding a second account.
        string id = ReverseDns(s.Hostname) + ".postern.mail." + Hex(address)[..16];
        return XmlOutput.Write(w =>
        {
            w.WriteDocType("plist", "-//Apple//DTD PLIST 1.0//EN", "http://www.apple.com/DTDs/PropertyList-1.0.dtd", null);
            w.WriteStartElement("plist");
            w.WriteAttributeString("version", "1.0");
            w.WriteStartElement("dict");
            Key(w, "PayloadContent");
            w.WriteStartElement("array");
            w.WriteStartElement("dict");
            Str(w, "EmailAccountDescription", address);
            Str(w, "EmailAccountType", "EmailTypeIMAP");
            Str(w, "EmailAddress", address);
            Str(w, "IncomingMailServerAuthentication", "EmailAuthPassword");
            Str(w, "IncomingMailServerHostName", imap.Host);
            Int(w, "IncomingMailServerPortNumber", imap.Port);
            Bool(w, "IncomingMailServerUseSSL", true);
            Str(w, "IncomingMailServerUsername", address);
            Str(w, "OutgoingMailServerAuthentication", "EmailAuthPassword");
            Str(w, "OutgoingMailServerHostName", smtp.Host);
            Int(w, "OutgoingMailServerPortNumber", smtp.Port);
            Bool(w, "OutgoingMailServerUseSSL", true);
            Str(w, "OutgoingMailServerUsername", address);
            Bool(w, "OutgoingPasswordSameAsIncomingPassword", true);
            Str(w, "PayloadDescription", $"Email account {address}");
            Str(w, "PayloadDisplayName", address);
            Str(w, "PayloadIdentifier", id + ".account");
            Str(w, "PayloadType", "com.apple.mail.managed");
            Str(w, "PayloadUUID", Uuid("account:" + s.Hostname + ":" + address));
            Int(w, "PayloadVersion", 1);
            w.WriteEndElement();
            w.WriteEndElement();
            Str(w, "PayloadDescription", $"Sets up {address} on {s.Hostname}. Your password is asked for when you install it.");
            Str(w, "PayloadDisplayName", $"Email {address}");
            Str(w, "PayloadIdentifier", id);
            Bool(w, "PayloadRemovalDisallowed", false);
            Str(w, "PayloadType", "Configuration");
            Str(w, "PayloadUUID", Uuid("profile:" + s.Hostname + ":" + address));
            Int(w, "PayloadVersion", 1);
            w.WriteEndElement();
            w.WriteEndElement();
        });
    }

    private static void Key(XmlWriter w, string key) => w.WriteElementString("key", key);

    private static void Str(XmlWriter w, string key, string value)
    {
        Key(w, key);
        w.WriteElementString("string", value);
    }

    private static void Int(XmlWriter w, string key, int value)
    {
        Key(w, key);
        w.WriteElementString("integer", value.ToString(CultureInfo.InvariantCulture));
    }

    private static void Bool(XmlWriter w, string key, bool value)
    {
        Key(w, key);
        w.WriteStartElement(value ? "true" : "false");
        w.WriteEndElement();
    }

    private static string Hex(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static string Uuid(string seed)
    {
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes(seed))[..16];
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x50); // version 5-style (name-based)
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 4122 variant
        return new Guid(bytes, bigEndian: true).ToString().ToUpperInvariant();
    }

    private static string ReverseDns(string host) => string.Join('.', host.Split('.').Reverse());
}
