using MimeKit;
using Postern.Integration.Tests.Support;

namespace Postern.Integration.Tests;

/// <summary>
/// NeoMutt reading a folder as a person would: in a real terminal (tmux), over IMAPS with the
/// certificate verified, showing the index with the message in it.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class MuttTests(ServerFixture server) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("postern-mutt-").FullName;
    private readonly string _session = "postern-" + Guid.NewGuid().ToString("N")[..8];

    public void Dispose()
    {
        // The tmux session is ours alone (unique name); end it whatever happened.
        ProcessRunner.RunAsync("tmux", ["kill-session", "-t", _session]).GetAwaiter().GetResult();
        Directory.Delete(_dir, recursive: true);
    }

    [SkippableTheory]
    [InlineData(993, "imaps")]
    [InlineData(143, "imap")]
    public async Task Neomutt_shows_the_inbox(int port, string scheme)
    {
        var neomutt = ExternalClient.Require("neomutt");
        var tmux = ExternalClient.Require("tmux");
        string user = ServerFixture.User("carol");
        string subject = $"for mutt {Guid.NewGuid().ToString("N")[..12]}";
        using (var smtp = await MailKitClients.SmtpAsync(server, 25))
        {
            var m = new MimeMessage();
            m.From.Add(MailboxAddress.Parse("someone@elsewhere.test"));
            m.To.Add(MailboxAddress.Parse(user));
            m.Subject = subject;
            m.Body = new TextPart("plain") { Text = "read me in a terminal" };
            await smtp.SendAsync(m);
            await smtp.DisconnectAsync(true);
        }

        string rc = Path.Combine(_dir, "muttrc");
        await File.WriteAllTextAsync(rc, $"""
            set folder="{scheme}://localhost:{server.Port(port)}/"
            set spoolfile="+INBOX"
            set imap_user="{user}"
            set imap_pass="{ServerFixture.Password}"
            set ssl_ca_certificates_file="{server.CertPath}"
            set ssl_force_tls=yes
            set ssl_starttls=yes
            set certificate_file="{Path.Combine(_dir, "certificates")}"
            set header_cache=""
            set message_cachedir=""
            set mail_check=0
            set sort=date

            """);
        var start = await ProcessRunner.RunAsync(tmux,
            ["new-session", "-d", "-s", _session, "-x", "200", "-y", "50", $"TERM=xterm {neomutt} -n -F {rc}"]);
        Assert.True(start.ExitCode == 0, start.ToString());

        // Poll the screen until the subject shows (bounded), as a person watching the terminal would.
        string screen = "";
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            screen = (await ProcessRunner.RunAsync(tmux, ["capture-pane", "-p", "-t", _session])).StdOut;
            if (screen.Contains(subject, StringComparison.Ordinal))
            {
                break;
            }

            await Task.Delay(200);
        }

        Assert.True(screen.Contains(subject, StringComparison.Ordinal), "NeoMutt's screen never showed the message:\n" + screen);
        await ProcessRunner.RunAsync(tmux, ["send-keys", "-t", _session, "q"]);
    }
}
