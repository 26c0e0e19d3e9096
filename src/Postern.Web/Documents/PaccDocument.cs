using System.Security.Cryptography;
using System.Text.Json;
using Postern.Net;

namespace Postern.Web.Documents;

/// <summary>
/// The document of draft-ietf-mailmaint-pacc (work in progress), served at
/// https://ua-auto-config.DOMAIN/.well-known/user-agent-configuration.json and authenticated by
/// the DNS TXT record _ua-auto-config.DOMAIN "v=UAAC1; a=sha256; d=BASE64(SHA-256(body))".
/// The draft lists only implicit-TLS protocols by host, with their standard ports implied
/// (imap 993, pop3 995, submit 465); STARTTLS endpoints cannot be expressed and are left out.
/// Field names follow draft -03 as implemented elsewhere; the draft may still change them.
/// </summary>
public static class PaccDocument
{
    public static byte[] Render(PublishedSettings s, string domain)
    {
        var protocols = new SortedDictionary<string, object>(StringComparer.Ordinal);
        void Add(string name, IReadOnlyList<PublishedServer> list)
        {
            var server = list.FirstOrDefault(x => x.Mode == TlsMode.Implicit);
            if (server is not null)
            {
                protocols[name] = new Dictionary<string, string> { ["host"] = server.Host };
            }
        }

        Add("imap", s.Imap);
        Add("pop3", s.Pop3);
        Add("submit", s.Smtp);
        // Deterministic bytes (sorted keys, no whitespace): the DNS digest must match them exactly.
        var doc = new SortedDictionary<string, object>(StringComparer.Ordinal)
        {
            ["authentication"] = new Dictionary<string, bool> { ["password"] = true },
            ["info"] = new Dictionary<string, object> { ["provider"] = new Dictionary<string, string> { ["name"] = $"{domain} mail" } },
            ["protocols"] = protocols,
        };
        return JsonSerializer.SerializeToUtf8Bytes(doc);
    }

    /// <summary>The TXT record value that authenticates <paramref name="body"/>.</summary>
    public static string DigestRecord(byte[] body) => $"v=UAAC1; a=sha256; d={Convert.ToBase64String(SHA256.HashData(body))}";
}
