using MailKit;
using MailKit.Search;
using MimeKit;
using Postern.Integration.Tests.Support;

namespace Postern.Integration.Tests;

/// <summary>
/// Full-synchronisation clients from Debian, both directions: mbsync (isync) over 993 and over
/// 143 with STARTTLS required (isync 1.4 spells it SSLType), and offlineimap over 993 and 143. Each syncs a server mailbox into a local
/// Maildir, then pushes a locally added message back with APPEND.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class SyncClientTests(ServerFixture server) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("postern-sync-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // Temp data only.
        }
    }

    private async Task<string> SeedAsync(string user)
    {
        string subject = $"to sync {Guid.NewGuid():N}";
        using var smtp = await MailKitClients.SmtpAsync(server, 25);
        var m = new MimeMessage();
        m.From.Add(MailboxAddress.Parse("someone@elsewhere.test"));
        m.To.Add(MailboxAddress.Parse(user));
        m.Subject = subject;
        m.Body = new TextPart("plain") { Text = "a message to synchronise" };
        await smtp.SendAsync(m);
        await smtp.DisconnectAsync(true);
        return subject;
    }

    /// <summary>Writes a message into a Maildir folder's new/ as a client-side mail store would.</summary>
    private static string AddLocalMessage(string maildirFolder, string user)
    {
        string subject = $"pushed {Guid.NewGuid():N}";
        Directory.CreateDirectory(Path.Combine(maildirFolder, "new"));
        var text = $"From: <{user}>\r\nTo: <{user}>\r\nSubject: {subject}\r\nDate: Thu, 26 Nov 2026 12:00:00 +0000\r\nMessage-ID: <{Guid.NewGuid():N}@local>\r\n\r\nwritten locally\r\n";
        File.WriteAllText(Path.Combine(maildirFolder, "new", $"{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}.{Guid.NewGuid():N}.local"), text);
        return subject;
    }

    private static bool MaildirHas(string root, string subject) =>
        Directory.Exists(root) && Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Any(f => File.ReadAllText(f).Contains(subject, StringComparison.Ordinal));

    private async Task AssertOnServerAsync(string user, string subject)
    {
        using var imap = await MailKitClients.ImapAsync(server, 993, user);
        await imap.Inbox.OpenAsync(FolderAccess.ReadOnly);
        Assert.Single(await imap.Inbox.SearchAsync(SearchQuery.SubjectContains(subject)));
        await imap.DisconnectAsync(true);
    }

    [SkippableTheory]
    [InlineData(993, "IMAPS")]
    [InlineData(143, "STARTTLS")]
    public async Task Mbsync_syncs_both_ways(int port, string tlsType)
    {
        var mbsync = ExternalClient.Require("mbsync");
        string user = ServerFixture.User(port == 993 ? "dave" : "erin");
        string seeded = await SeedAsync(user);
        string local = Path.Combine(_dir, "mail") + "/";
        Directory.CreateDirectory(local);
        string config = await Mbsync.WriteConfigAsync(server, _dir, local, user, port, tlsType, "LOGIN PLAIN");
        var r = await ProcessRunner.RunAsync(mbsync, ["-c", config, "-a"], timeout: TimeSpan.FromSeconds(60));
        Assert.True(r.ExitCode == 0, r.ToString() + "\n" + server.Log);
        Assert.True(MaildirHas(Path.Combine(local, "INBOX"), seeded), "mbsync did not fetch the seeded message");
        Assert.True(Directory.Exists(Path.Combine(local, "Sent")), "mbsync did not create the Sent folder locally");

        string pushed = AddLocalMessage(Path.Combine(local, "INBOX"), user);
        r = await ProcessRunner.RunAsync(mbsync, ["-c", config, "-a"], timeout: TimeSpan.FromSeconds(60));
        Assert.True(r.ExitCode == 0, r.ToString());
        await AssertOnServerAsync(user, pushed);
    }

    [SkippableTheory]
    [InlineData(993, "ssl = yes")]
    [InlineData(143, "ssl = no\nstarttls = yes")]
    public async Task Offlineimap_syncs_both_ways(int port, string tls)
    {
        var offlineimap = ExternalClient.Require("offlineimap");
        string user = ServerFixture.User(port == 993 ? "bob" : "carol");
        string seeded = await SeedAsync(user);
        string local = Path.Combine(_dir, "oimap");
        string config = Path.Combine(_dir, "offlineimaprc");
        await File.WriteAllTextAsync(config, $"""
            [general]
            accounts = postern
            metadata = {Path.Combine(_dir, "oimap-meta")}

            [Account postern]
            localrepository = local
            remoterepository = remote

            [Repository local]
            type = Maildir
            localfolders = {local}

            [Repository remote]
            type = IMAP
            remotehost = localhost
            remoteport = {server.Port(port)}
            remoteuser = {user}
            remotepass = {ServerFixture.Password}
            {tls}
            sslcacertfile = {server.CertPath}
            folderfilter = lambda f: f in ['INBOX', 'Sent']

            """);
        var r = await ProcessRunner.RunAsync(offlineimap, ["-c", config, "-o", "-u", "basic"], timeout: TimeSpan.FromSeconds(90));
        Assert.True(r.ExitCode == 0, r.ToString() + "\n" + server.Log);
        Assert.True(MaildirHas(Path.Combine(local, "INBOX"), seeded), "offlineimap did not fetch the seeded message:\n" + r);

        string pushed = AddLocalMessage(Path.Combine(local, "INBOX"), user);
        r = await ProcessRunner.RunAsync(offlineimap, ["-c", config, "-o", "-u", "basic"], timeout: TimeSpan.FromSeconds(90));
        Assert.True(r.ExitCode == 0, r.ToString());
        await AssertOnServerAsync(user, pushed);
    }
}
