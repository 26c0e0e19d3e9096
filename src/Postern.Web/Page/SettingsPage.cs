using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Postern.Net;

namespace Postern.Web.Page;

/// <summary>
/// The settings page: endpoints, a plain-language note on SSL/TLS/STARTTLS, and per-program
/// instructions from the terminology table. One self-contained document: inline CSS only (allowed
/// by its hash in the Content-Security-Policy), no script, no external resources, every value
/// HTML-encoded. &lt;details&gt; lets a reader open their program without JavaScript.
/// </summary>
public static class SettingsPage
{
    private const string Css = """
        :root{color-scheme:light dark;--fg:#1a1a1a;--bg:#fff;--muted:#4a4a4a;--line:#c8c8c8;--warn-bg:#fff4d6;--warn-line:#8a6100;--link:#0645ad}
        @media (prefers-color-scheme:dark){:root{--fg:#eee;--bg:#121212;--muted:#c4c4c4;--line:#555;--warn-bg:#3a2e00;--warn-line:#f0c14b;--link:#9cc3ff}}
        body{font:1rem/1.5 system-ui,sans-serif;color:var(--fg);background:var(--bg);margin:0 auto;padding:1rem;max-width:48rem}
        a{color:var(--link)}
        h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2rem}
        table{border-collapse:collapse;width:100%;margin:.5rem 0}
        th,td{border:1px solid var(--line);padding:.35rem .5rem;text-align:left;vertical-align:top}
        caption{text-align:left;font-weight:600;padding:.25rem 0}
        details{border:1px solid var(--line);border-radius:.3rem;margin:.5rem 0;padding:.25rem .75rem}
        summary{cursor:pointer;font-weight:600;padding:.25rem 0}
        .warn{background:var(--warn-bg);border-left:.3rem solid var(--warn-line);padding:.4rem .6rem}
        .muted{color:var(--muted)}
        code{font-size:.95em;overflow-wrap:break-word}
        label{display:block;margin:.5rem 0 .25rem}
        input{font:inherit;padding:.3rem;max-width:100%;width:20rem}
        button{font:inherit;padding:.3rem .8rem;margin-top:.4rem}
        @media (max-width:32rem){th,td{padding:.25rem}}
        """;

    /// <summary>The CSP source that allows exactly the inline style above and nothing else.</summary>
    public static readonly string StyleHash = "'sha256-" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(Css))) + "'";

    public static string Render(PublishedSettings s, IReadOnlyList<string> domains)
    {
        var sb = new StringBuilder();
        string host = H(s.Hostname);
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        sb.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        sb.Append("<title>Email settings for ").Append(host).Append("</title>\n");
        sb.Append("<style>").Append(Css).Append("</style>\n</head>\n<body>\n");
        sb.Append("<header>\n<h1>Email settings for ").Append(host).Append("</h1>\n");
        if (domains.Count > 0)
        {
            sb.Append("<p>This server handles mail for ").Append(string.Join(", ", domains.Select(d => "<strong>" + H(d) + "</strong>"))).Append(".</p>\n");
        }

        sb.Append("<nav aria-label=\"On this page\"><ul>\n<li><a href=\"#servers\">The servers to enter</a></li>\n<li><a href=\"#security\">SSL, TLS and STARTTLS explained</a></li>\n");
        sb.Append("<li><a href=\"#programs\">Step by step for your email program</a></li>\n<li><a href=\"#automatic\">Automatic set-up</a></li>\n</ul></nav>\n</header>\n<main>\n");

        // The endpoints.
        sb.Append("<section id=\"servers\" aria-labelledby=\"servers-h\">\n<h2 id=\"servers-h\">The servers to enter</h2>\n");
        sb.Append("<table>\n<caption>Use the first line of each kind; the others are alternatives.</caption>\n");
        sb.Append("<thead><tr><th scope=\"col\">For</th><th scope=\"col\">Server</th><th scope=\"col\">Port</th><th scope=\"col\">Security</th></tr></thead>\n<tbody>\n");
        foreach (var (what, list) in new[] { ("Incoming mail (IMAP)", s.Imap), ("Incoming mail (POP3, instead of IMAP)", s.Pop3), ("Outgoing mail (SMTP)", s.Smtp) })
        {
            foreach (var server in list)
            {
                sb.Append("<tr><td>").Append(H(what)).Append("</td><td><code>").Append(H(server.Host)).Append("</code></td><td>")
                  .Append(server.Port.ToString(CultureInfo.InvariantCulture)).Append("</td><td>").Append(ModeName(server.Mode)).Append("</td></tr>\n");
            }
        }

        sb.Append("</tbody>\n</table>\n");
        sb.Append("<p><strong>User name:</strong> your full email address (for incoming and outgoing mail). <strong>Password:</strong> your normal password. ");
        sb.Append("<strong>Authentication:</strong> normal password.</p>\n</section>\n");

        // The explanation.
        var implicitPorts = s.Incoming.Concat(s.Smtp).Where(x => x.Mode == TlsMode.Implicit).Select(x => x.Port).ToList();
        var startTlsPorts = s.Incoming.Concat(s.Smtp).Where(x => x.Mode == TlsMode.StartTls).Select(x => x.Port).ToList();
        sb.Append("<section id=\"security\" aria-labelledby=\"security-h\">\n<h2 id=\"security-h\">SSL, TLS and STARTTLS explained</h2>\n");
        sb.Append("<p>Your password and your mail are always encrypted on the way to this server. There are two ways to start the encryption, and each port uses one of them:</p>\n<ul>\n");
        sb.Append("<li><strong>Implicit TLS</strong> (ports ").Append(Ports(implicitPorts)).Append("): the connection is encrypted from the very first byte. Programs often call this <em>SSL/TLS</em> or just <em>SSL</em>. This is the recommended choice.</li>\n");
        sb.Append("<li><strong>STARTTLS</strong> (ports ").Append(Ports(startTlsPorts)).Append("): the connection starts unencrypted and switches to encryption before anything private is sent. Some programs call this <em>TLS</em>, which is easy to confuse with the above.</li>\n");
        sb.Append("</ul>\n<p><em>SSL</em> is the old name of <em>TLS</em>; the old SSL versions themselves are no longer accepted, only TLS 1.2 and 1.3. ");
        sb.Append("The mode and the port must match: choosing STARTTLS on an implicit-TLS port (or the other way round) makes the connection fail. ");
        sb.Append("Never choose <em>None</em> or an option that says <em>if available</em>: this server refuses passwords without encryption.</p>\n</section>\n");

        // Per program.
        sb.Append("<section id=\"programs\" aria-labelledby=\"programs-h\">\n<h2 id=\"programs-h\">Step by step for your email program</h2>\n<p>Pick the program you use to see the exact words it shows:</p>\n");
        // Links into each <details>: following one opens it (the HTML "ancestor details revealing" step), no script needed.
        sb.Append("<nav aria-label=\"Email programs\"><ul>\n");
        foreach (var p in s.Programs)
        {
            sb.Append("<li><a href=\"#program-").Append(H(p.Id)).Append("\">").Append(H(p.Name)).Append("</a></li>\n");
        }

        sb.Append("</ul></nav>\n");
        foreach (var p in s.Programs)
        {
            sb.Append("<details id=\"client-").Append(H(p.Id)).Append("\">\n<summary>").Append(H(p.Name)).Append("</summary>\n");
            sb.Append("<p id=\"program-").Append(H(p.Id)).Append("\">Where the program asks <strong>").Append(H(p.Field)).Append("</strong>, choose:</p>\n");
            sb.Append("<table>\n<thead><tr><th scope=\"col\">For</th><th scope=\"col\">Server</th><th scope=\"col\">Port</th><th scope=\"col\">Choose</th></tr></thead>\n<tbody>\n");
            foreach (var (what, list) in new[] { ("Incoming (IMAP)", s.Imap), ("Incoming (POP3 instead)", s.Pop3), ("Outgoing (SMTP)", s.Smtp) })
            {
                for (int i = 0; i < list.Count; i++)
                {
                    var server = list[i];
                    sb.Append("<tr><td>").Append(i == 0 ? H(what) : "or").Append("</td><td><code>").Append(H(server.Host)).Append("</code></td><td>")
                      .Append(server.Port.ToString(CultureInfo.InvariantCulture)).Append("</td><td>").Append(H(p.Label(server.Mode))).Append("</td></tr>\n");
                }
            }

            sb.Append("</tbody>\n</table>\n<p>User name: your full email address. Never choose <strong>").Append(H(p.None)).Append("</strong>.</p>\n");
            if (p.Warning is not null)
            {
                sb.Append("<p class=\"warn\"><strong>Watch out:</strong> ").Append(H(p.Warning)).Append("</p>\n");
            }

            sb.Append("<p><strong>Port:</strong> ").Append(H(p.PortBehaviour)).Append("</p>\n");
            if (!p.Confirmed)
            {
                sb.Append("<p class=\"muted\">These labels are not confirmed for this program; the server and port above are what matter.</p>\n");
            }

            sb.Append("</details>\n");
        }

        sb.Append("</section>\n");

        // Automatic set-up.
        sb.Append("<section id=\"automatic\" aria-labelledby=\"automatic-h\">\n<h2 id=\"automatic-h\">Automatic set-up</h2>\n");
        sb.Append("<p>Many programs find these settings by themselves when you enter only your address and password. They read:</p>\n<ul>\n");
        sb.Append("<li>Thunderbird, K-9 Mail, Evolution, KMail, Geary: <a href=\"/mail/config-v1.1.xml\">/mail/config-v1.1.xml</a></li>\n");
        sb.Append("<li>Outlook: <code>/autodiscover/autodiscover.xml</code> (the program asks it by itself)</li>\n");
        sb.Append("<li>Newer programs (draft standard): <a href=\"/.well-known/user-agent-configuration.json\">/.well-known/user-agent-configuration.json</a></li>\n</ul>\n");
        sb.Append("<form method=\"get\" action=\"/profile.mobileconfig\">\n<h3>iPhone, iPad and Mac: download a profile</h3>\n");
        sb.Append("<label for=\"profile-address\">Your email address</label>\n");
        sb.Append("<input id=\"profile-address\" name=\"emailaddress\" type=\"email\" autocomplete=\"email\" required>\n");
        sb.Append("<button type=\"submit\">Download the profile</button>\n");
        sb.Append("<p class=\"muted\">The profile holds no password: the device asks for it when you install the profile.</p>\n</form>\n</section>\n");
        sb.Append("</main>\n<footer><p class=\"muted\">Served by Postern on ").Append(host).Append(".</p></footer>\n</body>\n</html>\n");
        return sb.ToString();
    }

    private static string ModeName(TlsMode mode) => mode == TlsMode.Implicit ? "Implicit TLS (SSL/TLS)" : "STARTTLS";

    private static string Ports(IReadOnlyList<int> ports) =>
        ports.Count == 0 ? "none here" : string.Join(", ", ports.Distinct().Select(p => p.ToString(CultureInfo.InvariantCulture)));

    private static string H(string text) => WebUtility.HtmlEncode(text);
}
