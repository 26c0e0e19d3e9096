using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MimeKit;
using Postern.Integration.Tests.Support;

namespace Postern.Integration.Tests.Imap;

/// <summary>
/// ESEARCH, SEARCHRES, SORT and THREAD end to end against the real server and its store: MailKit,
/// a raw client for "$", and python3's imaplib sort() and thread().
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class SearchSortTests(ServerFixture server)
{
    private static readonly string Dave = ServerFixture.User("dave");

    /// <summary>Four messages: a thread of three about fruit (1, 2 answering 1, 3 answering 2) and one about tea.</summary>
    private static MimeMessage[] Messages()
    {
        MimeMessage M(string id, string from, string subject, int day, string? parent)
        {
            var m = new MimeMessage { MessageId = id + "@sort.test", Subject = subject, Date = new DateTimeOffset(2026, 2, day, 9, 0, 0, TimeSpan.Zero) };
            m.From.Add(MailboxAddress.Parse(from));
            m.To.Add(MailboxAddress.Parse(Dave));
            if (parent is not null)
            {
                m.InReplyTo = parent + "@sort.test";
                m.References.Add(parent + "@sort.test");
            }

            m.Body = new TextPart("plain") { Text = "about " + subject };
            return m;
        }

        return
        [
            M("one", "zed@elsewhere.test", "Fruit salad", 3, null),
            M("two", "amy@elsewhere.test", "Re: Fruit salad", 4, "one"),
            M("three", "kim@elsewhere.test", "Re: Re: Fruit salad", 5, "two"),
            M("four", "bob@elsewhere.test", "Afternoon tea", 1, null),
        ];
    }

    private static async Task<(IMailFolder Folder, IList<UniqueId> Uids)> FolderAsync(ImapClient imap)
    {
        var root = await imap.GetFolderAsync(imap.PersonalNamespaces[0].Path);
        var folder = (await root.CreateAsync("Sort-" + Guid.NewGuid().ToString("N")[..8], isMessageFolder: true))!;
        var uids = new List<UniqueId>();
        foreach (var m in Messages())
        {
            uids.Add((await folder.AppendAsync(m))!.Value);
        }

        await folder.OpenAsync(FolderAccess.ReadWrite);
        return (folder, uids);
    }

    [Fact]
    public async Task MailKit_esearch_sort_and_thread()
    {
        using var imap = await MailKitClients.ImapAsync(server, 993, Dave);
        Assert.True(imap.Capabilities.HasFlag(ImapCapabilities.ESearch));
        Assert.True(imap.Capabilities.HasFlag(ImapCapabilities.SearchResults));
        Assert.True(imap.Capabilities.HasFlag(ImapCapabilities.Sort));
        Assert.True(imap.Capabilities.HasFlag(ImapCapabilities.Thread));
        Assert.Contains(ThreadingAlgorithm.References, imap.ThreadingAlgorithms);
        Assert.Contains(ThreadingAlgorithm.OrderedSubject, imap.ThreadingAlgorithms);
        var (folder, uids) = await FolderAsync(imap);

        var found = await folder.SearchAsync(SearchOptions.All | SearchOptions.Count | SearchOptions.Min | SearchOptions.Max, SearchQuery.SubjectContains("fruit"));
        Assert.Equal(3, found.Count);
        Assert.Equal(uids[0], found.Min);
        Assert.Equal(uids[2], found.Max);
        Assert.Equal(uids.Take(3), found.UniqueIds);

        var none = await folder.SearchAsync(SearchOptions.Count | SearchOptions.Min, SearchQuery.SubjectContains("nothing like this"));
        Assert.Equal(0, none.Count);
        Assert.Null(none.Min);

        Assert.Equal([uids[3], uids[0], uids[1], uids[2]], await folder.SortAsync(SearchQuery.All, [OrderBy.Subject]));
        Assert.Equal([uids[2], uids[1], uids[0], uids[3]], await folder.SortAsync(SearchQuery.All, [OrderBy.ReverseDate]));
        Assert.Equal([uids[1], uids[3], uids[2], uids[0]], await folder.SortAsync(SearchQuery.All, [OrderBy.From]));

        var threads = await folder.ThreadAsync(ThreadingAlgorithm.References, SearchQuery.All);
        Assert.Equal(2, threads.Count);
        Assert.Equal(uids[3], threads[0].UniqueId);
        Assert.Empty(threads[0].Children);
        Assert.Equal(uids[0], threads[1].UniqueId);
        Assert.Equal(uids[1], Assert.Single(threads[1].Children).UniqueId);
        Assert.Equal(uids[2], Assert.Single(threads[1].Children[0].Children).UniqueId);

        var bySubject = await folder.ThreadAsync(ThreadingAlgorithm.OrderedSubject, SearchQuery.All);
        Assert.Equal(2, bySubject.Count);
        Assert.Equal(uids[3], bySubject[0].UniqueId);
        Assert.Equal([uids[1], uids[2]], bySubject[1].Children.Select(c => c.UniqueId!.Value));

        await folder.CloseAsync();
        await folder.DeleteAsync();
        await imap.DisconnectAsync(true);
    }

    [Fact]
    public async Task Saved_result_is_used_through_dollar()
    {
        string name;
        using (var imap = await MailKitClients.ImapAsync(server, 993, Dave))
        {
            var (folder, _) = await FolderAsync(imap);
            name = folder.FullName;
            await imap.DisconnectAsync(true);
        }

        await using var c = await RawClient.ConnectAsync(server, 993, implicitTls: true);
        Assert.StartsWith("* OK", await c.ReadLineAsync());
        await c.SendLineAsync($"a LOGIN {Dave} \"{ServerFixture.Password}\"");
        Assert.StartsWith("a OK", (await c.ReadUntilAsync("a "))[^1]);
        await c.SendLineAsync($"b SELECT \"{name}\"");
        Assert.StartsWith("b OK", (await c.ReadUntilAsync("b "))[^1]);
        await c.SendLineAsync("c UID SEARCH RETURN (SAVE COUNT) SUBJECT fruit");
        Assert.Equal(["* ESEARCH (TAG \"c\") UID COUNT 3", "c OK UID SEARCH completed"], await c.ReadUntilAsync("c "));
        await c.SendLineAsync("d FETCH $ (UID)");
        Assert.Equal(["* 1 FETCH (UID 1)", "* 2 FETCH (UID 2)", "* 3 FETCH (UID 3)", "d OK FETCH completed"], await c.ReadUntilAsync("d "));
        await c.SendLineAsync("e UID SORT (SUBJECT) UTF-8 UID $");
        Assert.Equal(["* SORT 1 2 3", "e OK UID SORT completed"], await c.ReadUntilAsync("e "));
        await c.SendLineAsync("f THREAD REFERENCES UTF-8 ALL");
        Assert.Equal(["* THREAD (4)(1 2 3)", "f OK THREAD completed"], await c.ReadUntilAsync("f "));
        await c.SendLineAsync("g DELETE \"" + name + "\"");
        Assert.StartsWith("g ", (await c.ReadUntilAsync("g "))[^1]);
        await c.SendLineAsync("z LOGOUT");
        await c.ReadUntilAsync("z ");
    }

    [SkippableFact]
    public async Task Python_imaplib_sorts_and_threads()
    {
        var python = ExternalClient.Require("python3");
        string name;
        using (var imap = await MailKitClients.ImapAsync(server, 993, Dave))
        {
            var (folder, _) = await FolderAsync(imap);
            name = folder.FullName;
            await imap.DisconnectAsync(true);
        }

        const string script = """
            import os, ssl, imaplib
            ctx = ssl.create_default_context(cafile=os.environ["CAFILE"])
            m = imaplib.IMAP4_SSL("localhost", 993 + int(os.environ["OFFSET"]), ssl_context=ctx)
            m.login(os.environ["USER"], os.environ["PASSWORD"])
            print("select", m.select('"' + os.environ["BOX"] + '"')[0])
            print("sort", m.sort("(REVERSE SUBJECT)", "UTF-8", "ALL"))
            print("uidsort", m.uid("SORT", "(DATE)", "UTF-8", "ALL"))
            print("thread", m.thread("REFERENCES", "UTF-8", "ALL"))
            print("ordered", m.thread("ORDEREDSUBJECT", "UTF-8", "SUBJECT", "fruit"))
            m.close()
            print("delete", m.delete('"' + os.environ["BOX"] + '"')[0])
            m.logout()
            """;
        var r = await ProcessRunner.RunAsync(python, ["-c", script], timeout: TimeSpan.FromSeconds(60), env: new Dictionary<string, string>
        {
            ["CAFILE"] = server.CertPath,
            ["USER"] = Dave,
            ["PASSWORD"] = ServerFixture.Password,
            ["OFFSET"] = server.Offset.ToString(),
            ["BOX"] = name,
        });
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("select OK", r.StdOut);
        Assert.Contains("sort ('OK', [b'1 2 3 4'])", r.StdOut);
        Assert.Contains("uidsort ('OK', [b'4 1 2 3'])", r.StdOut);
        Assert.Contains("thread ('OK', [b'(4)(1 2 3)'])", r.StdOut);
        Assert.Contains("ordered ('OK', [b'(1 (2)(3))'])", r.StdOut);
        Assert.Contains("delete OK", r.StdOut);
    }
}
