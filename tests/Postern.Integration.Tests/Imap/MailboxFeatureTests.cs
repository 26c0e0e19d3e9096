using System.Text;
using MailKit;
using MailKit.Net.Imap;
using MimeKit;
using Postern.Integration.Tests.Support;

namespace Postern.Integration.Tests.Imap;

/// <summary>
/// Mailbox extensions end to end against the real server: LIST-STATUS, SPECIAL-USE and
/// CREATE-SPECIAL-USE, UTF8=ACCEPT names, MULTIAPPEND and BINARY with MailKit, and modified UTF-7
/// names with python3's imaplib (an IMAP4rev1 client).
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class MailboxFeatureTests(ServerFixture server)
{
    private static string Tag() => Guid.NewGuid().ToString("N")[..6];

    private static MimeMessage NewMessage(string subject, MimeEntity? body = null)
    {
        var m = new MimeMessage();
        m.From.Add(MailboxAddress.Parse("someone@elsewhere.test"));
        m.To.Add(MailboxAddress.Parse(ServerFixture.User("dave")));
        m.Subject = subject;
        m.Body = body ?? new TextPart("plain") { Text = "body of " + subject };
        return m;
    }

    [Fact]
    public async Task Capabilities_and_special_folders_as_mailkit_sees_them()
    {
        using var imap = await MailKitClients.ImapAsync(server, 993, ServerFixture.User("dave"));
        foreach (var cap in new[] { ImapCapabilities.ListExtended, ImapCapabilities.ListStatus, ImapCapabilities.CreateSpecialUse, ImapCapabilities.MultiAppend, ImapCapabilities.Binary, ImapCapabilities.UTF8Accept, ImapCapabilities.SpecialUse })
        {
            Assert.True(imap.Capabilities.HasFlag(cap), cap.ToString());
        }

        Assert.Equal("Sent", imap.GetFolder(SpecialFolder.Sent)!.FullName);
        Assert.Equal("Trash", imap.GetFolder(SpecialFolder.Trash)!.FullName);
        Assert.Equal("Drafts", imap.GetFolder(SpecialFolder.Drafts)!.FullName);
        await imap.DisconnectAsync(true);
    }

    /// <summary>A MailKit client like <see cref="MailKitClients.ImapAsync"/> that records the protocol, to check which commands it chose.</summary>
    private async Task<ImapClient> LoggedImapAsync(MemoryStream log)
    {
        var c = new ImapClient(new ProtocolLogger(log, leaveOpen: true)) { ServerCertificateValidationCallback = server.ValidateCertificate, Timeout = 20_000 };
        await c.ConnectAsync("localhost", server.Port(993), MailKitClients.ModeFor(993));
        await c.AuthenticateAsync(ServerFixture.User("dave"), ServerFixture.Password);
        return c;
    }

    [Fact]
    public async Task List_status_and_multiappend()
    {
        using var log = new MemoryStream();
        using var imap = await LoggedImapAsync(log);
        var root = await imap.GetFolderAsync(imap.PersonalNamespaces[0].Path);
        string name = "Multi-" + Tag();
        var folder = (await root.CreateAsync(name, isMessageFolder: true))!;

        var requests = new List<IAppendRequest>
        {
            new AppendRequest(NewMessage("one " + name), MessageFlags.Seen),
            new AppendRequest(NewMessage("two " + name)),
            new AppendRequest(NewMessage("three " + name), MessageFlags.Flagged),
        };
        var uids = await folder.AppendAsync(requests);
        Assert.Equal(3, uids.Count);
        Assert.Equal([uids[0].Id, uids[0].Id + 1, uids[0].Id + 2], uids.Select(u => u.Id));

        // GetFolders with status items is one LIST ... RETURN (STATUS (...)) when LIST-STATUS is offered.
        var folders = await imap.GetFoldersAsync(imap.PersonalNamespaces[0], StatusItems.Count | StatusItems.Unread | StatusItems.UidNext, subscribedOnly: false);
        var listed = Assert.Single(folders, f => f.FullName == name);
        Assert.Equal(3, listed.Count);
        Assert.Equal(2, listed.Unread);
        Assert.Equal(uids[2].Id + 1, listed.UidNext!.Value.Id);
        string protocol = Encoding.UTF8.GetString(log.ToArray());
        Assert.Contains("RETURN (SUBSCRIBED CHILDREN STATUS (", protocol);

        await folder.OpenAsync(FolderAccess.ReadOnly);
        var summaries = await folder.FetchAsync(0, -1, MessageSummaryItems.Envelope | MessageSummaryItems.Flags);
        Assert.Equal(["one " + name, "two " + name, "three " + name], summaries.Select(s => s.Envelope!.Subject));
        await folder.CloseAsync();
        await folder.DeleteAsync();
        await imap.DisconnectAsync(true);
    }

    [Fact]
    public async Task Create_with_special_use()
    {
        using var imap = await MailKitClients.ImapAsync(server, 993, ServerFixture.User("dave"));
        var root = await imap.GetFolderAsync(imap.PersonalNamespaces[0].Path);
        string name = "Archive-" + Tag();
        var created = await root.CreateAsync(name, [SpecialFolder.Archive]);
        Assert.True(created!.Attributes.HasFlag(FolderAttributes.Archive));

        // A fresh LIST reports the attribute the server stored.
        var listed = Assert.Single(await imap.GetFoldersAsync(imap.PersonalNamespaces[0]), f => f.FullName == name);
        Assert.True(listed.Attributes.HasFlag(FolderAttributes.Archive));
        await listed.DeleteAsync();
        await imap.DisconnectAsync(true);
    }

    [Fact]
    public async Task Utf8_accept_names_and_binary_fetch()
    {
        using var log = new MemoryStream();
        using var imap = await LoggedImapAsync(log);
        await imap.EnableUTF8Async();
        var root = await imap.GetFolderAsync(imap.PersonalNamespaces[0].Path);
        string name = "Grüße Ärger " + Tag();
        var folder = (await root.CreateAsync(name, isMessageFolder: true))!;
        Assert.Contains(await imap.GetFoldersAsync(imap.PersonalNamespaces[0]), f => f.FullName == name);

        byte[] payload = [(byte)'h', (byte)'i', 0, (byte)'!'];
        var attachment = new MimePart("application", "octet-stream")
        {
            Content = new MimeContent(new MemoryStream(payload)),
            ContentTransferEncoding = ContentEncoding.Base64,
            FileName = "data.bin",
        };
        var body = new Multipart("mixed") { new TextPart("plain") { Text = "see attached" }, attachment };
        var uid = await folder.AppendAsync(NewMessage("binary " + name, body));
        Assert.NotNull(uid);

        await folder.OpenAsync(FolderAccess.ReadOnly);
        var summary = Assert.Single(await folder.FetchAsync([uid!.Value], MessageSummaryItems.BodyStructure | MessageSummaryItems.UniqueId));
        var part = (BodyPartBasic)summary.Attachments.Single();
        var fetched = (MimePart)await folder.GetBodyPartAsync(uid.Value, part);
        using var decoded = new MemoryStream();
        await fetched.Content!.DecodeToAsync(decoded);
        Assert.Equal(payload, decoded.ToArray());
        await folder.CloseAsync();

        // MailKit decodes parts itself, so BINARY is checked on the wire: decoded, as a literal8 because of the NUL.
        await using (var raw = await RawClient.ConnectAsync(server, 993, implicitTls: true))
        {
            await raw.ReadLineAsync();
            await raw.SendLineAsync($"a LOGIN {ServerFixture.User("dave")} \"{ServerFixture.Password}\"");
            Assert.StartsWith("a OK", (await raw.ReadUntilAsync("a "))[^1]);
            await raw.SendLineAsync($"b ENABLE UTF8=ACCEPT");
            await raw.ReadUntilAsync("b ");
            await raw.SendLineAsync($"c EXAMINE \"{name}\"");
            Assert.StartsWith("c OK", (await raw.ReadUntilAsync("c "))[^1]);
            await raw.SendLineAsync($"d UID FETCH {uid.Value.Id} (BINARY.PEEK[2] BINARY.SIZE[2])");
            Assert.Equal(
            [
                $"* 1 FETCH (UID {uid.Value.Id} BINARY[2] ~{{4}}",
                "hi\0! BINARY.SIZE[2] 4)",
                "d OK UID FETCH completed",
            ], await raw.ReadUntilAsync("d "));
        }

        // The name as a rev1 client sees it is modified UTF-7 and decodes to the same text.
        using var rev1 = await MailKitClients.ImapAsync(server, 993, ServerFixture.User("dave"));
        Assert.Contains(await rev1.GetFoldersAsync(rev1.PersonalNamespaces[0]), f => f.FullName == name);
        await rev1.DisconnectAsync(true);

        await folder.DeleteAsync();
        await imap.DisconnectAsync(true);
    }

    [SkippableFact]
    public async Task Python_imaplib_uses_modified_utf7_names()
    {
        string tag = Tag();
        var python = ExternalClient.Require("python3");
        var r = await ProcessRunner.RunAsync(python, ["-c", """
            import os, ssl, imaplib
            ctx = ssl.create_default_context(cafile=os.environ["CAFILE"])
            off = int(os.environ["OFFSET"]); tag = os.environ["TAG"]
            m = imaplib.IMAP4_SSL("localhost", 993 + off, ssl_context=ctx, timeout=30)
            m.login(os.environ["USER"], os.environ["PASSWORD"])
            name = "Entw&APw-rfe-" + tag
            typ, data = m.create(name); assert typ == "OK", data
            typ, data = m.list('""', "Entw*" + tag); assert typ == "OK", data
            print(data[0].decode())
            typ, data = m.create("&Jjo")
            if typ != "NO": raise SystemExit("malformed modified UTF-7 answered " + typ)
            assert b"not valid modified UTF-7" in data[0], data
            typ, data = m.status(name, "(MESSAGES DELETED)"); assert typ == "OK", data
            print(data[0].decode())
            m.logout()
            """], timeout: TimeSpan.FromSeconds(60), env: new Dictionary<string, string>
        {
            ["CAFILE"] = server.CertPath,
            ["USER"] = ServerFixture.User("dave"),
            ["PASSWORD"] = ServerFixture.Password,
            ["OFFSET"] = server.Offset.ToString(),
            ["TAG"] = tag,
        });
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains($"(\\HasNoChildren) \"/\" Entw&APw-rfe-{tag}", r.StdOut);
        Assert.Contains($"Entw&APw-rfe-{tag} (MESSAGES 0 DELETED 0)", r.StdOut);

        using var imap = await MailKitClients.ImapAsync(server, 993, ServerFixture.User("dave"));
        var folder = await imap.GetFolderAsync("Entwürfe-" + tag);
        Assert.Equal("Entwürfe-" + tag, folder.FullName);
        await folder.DeleteAsync();
        await imap.DisconnectAsync(true);
    }
}
