using System.Text;
using Postern.Storage;
using Xunit;

namespace Postern.Protocol.Tests.Imap;

public class FetchTests
{
    private static async Task<ImapFixture> WithMessagesAsync()
    {
        var f = await ImapFixture.LoggedInAsync();
        await f.AppendAsync(ImapFixture.Simple, MessageFlags.Seen);
        await f.AppendAsync(ImapFixture.Multipart);
        await f.SeenByEarlierSessionAsync();
        var select = await f.CommandAsync("s", "SELECT INBOX");
        Assert.StartsWith("s OK", select[^1]);
        return f;
    }

    /// <summary>Reads "* n FETCH (... {len}" then the literal's bytes, returning the line prefix and the bytes.</summary>
    private static async Task<(string Prefix, byte[] Data)> ReadLiteralAsync(ImapFixture f)
    {
        var line = await f.Client.ReadLineAsync();
        Assert.NotNull(line);
        Assert.EndsWith("}", line);
        int open = line!.LastIndexOf('{');
        int size = int.Parse(line[(open + 1)..^1]);
        return (line[..open], await f.Client.ReadBytesAsync(size));
    }

    [Fact]
    public async Task Flags_uid_size_and_internaldate()
    {
        await using var f = await WithMessagesAsync();
        var lines = await f.CommandAsync("a", "FETCH 1:* (FLAGS UID RFC822.SIZE INTERNALDATE)");
        Assert.Equal($"* 1 FETCH (FLAGS (\\Seen) UID 1 RFC822.SIZE {ImapFixture.Simple.Length} INTERNALDATE \" 2-Feb-2026 10:00:05 +0000\")", lines[0]);
        Assert.StartsWith("* 2 FETCH (FLAGS () UID 2 ", lines[1]);
        Assert.Equal("a OK FETCH completed", lines[2]);
    }

    [Fact]
    public async Task Uid_fetch_always_includes_uid_and_reversed_ranges_work()
    {
        await using var f = await WithMessagesAsync();
        var lines = await f.CommandAsync("a", "UID FETCH *:1 FLAGS");
        Assert.Equal(["* 1 FETCH (UID 1 FLAGS (\\Seen))", "* 2 FETCH (UID 2 FLAGS ())", "a OK UID FETCH completed"], lines);
        var none = await f.CommandAsync("b", "UID FETCH 100:* FLAGS");
        Assert.Equal(["* 2 FETCH (UID 2 FLAGS ())", "b OK UID FETCH completed"], none);
        var huge = await f.CommandAsync("c", "FETCH 1:4294967295 UID");
        Assert.Equal(3, huge.Count);
    }

    [Fact]
    public async Task Envelope()
    {
        await using var f = await WithMessagesAsync();
        var lines = await f.CommandAsync("a", "FETCH 1 ENVELOPE");
        Assert.Equal(
            "* 1 FETCH (ENVELOPE (\"Mon, 02 Feb 2026 10:00:00 +0000\" \"Hello Alice\" " +
            "((\"Bob Example\" NIL \"bob\" \"example.net\")) ((\"Bob Example\" NIL \"bob\" \"example.net\")) ((\"Bob Example\" NIL \"bob\" \"example.net\")) " +
            "((NIL NIL \"alice\" \"example.org\")) NIL NIL NIL \"<1@example.net>\"))",
            lines[0]);
    }

    /// <summary>
    /// RFC 3501 7.4.2: a Sender or Reply-To that is present but empty counts as absent, so both take
    /// From; an obsolete source route (RFC 5322 4.4 obs-route) is the address's adl, "@a,@b"
    /// (imaptest fetch-envelope).
    /// </summary>
    [Theory]
    [InlineData(
        "From: user@domain (Real Name)\r\nSender: \r\nReply-To: \r\n",
        "((\"Real Name\" NIL \"user\" \"domain\")) ((\"Real Name\" NIL \"user\" \"domain\")) ((\"Real Name\" NIL \"user\" \"domain\")) NIL")]
    [InlineData(
        "From: <@route:user@domain>\r\nTo: <@a.example,@b.example:x@y.example>\r\n",
        "((NIL \"@route\" \"user\" \"domain\")) ((NIL \"@route\" \"user\" \"domain\")) ((NIL \"@route\" \"user\" \"domain\")) ((NIL \"@a.example,@b.example\" \"x\" \"y.example\"))")]
    public async Task Envelope_addresses(string headers, string fromSenderReplyToTo)
    {
        await using var f = await ImapFixture.LoggedInAsync();
        await f.AppendAsync("Date: Thu, 15 Feb 2007 01:02:03 +0200\r\n" + headers + "\r\nbody\r\n");
        Assert.StartsWith("s OK", (await f.CommandAsync("s", "SELECT INBOX"))[^1]);
        var lines = await f.CommandAsync("a", "FETCH 1 ENVELOPE");
        Assert.Equal($"* 1 FETCH (ENVELOPE (\"Thu, 15 Feb 2007 01:02:03 +0200\" NIL {fromSenderReplyToTo} NIL NIL NIL NIL))", lines[0]);
    }

    [Fact]
    public async Task Bodystructure_of_multipart()
    {
        await using var f = await WithMessagesAsync();
        var lines = await f.CommandAsync("a", "FETCH 2 (BODYSTRUCTURE BODY)");
        Assert.Equal(
            "* 2 FETCH (BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"utf-8\") NIL NIL \"7BIT\" 27 1 NIL NIL NIL NIL)" +
            "(\"APPLICATION\" \"OCTET-STREAM\" (\"NAME\" \"r.bin\") NIL NIL \"BASE64\" 8 NIL (\"ATTACHMENT\" (\"FILENAME\" \"r.bin\")) NIL NIL) \"MIXED\" (\"BOUNDARY\" \"XX\") NIL NIL NIL) " +
            "BODY ((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"utf-8\") NIL NIL \"7BIT\" 27 1)(\"APPLICATION\" \"OCTET-STREAM\" (\"NAME\" \"r.bin\") NIL NIL \"BASE64\" 8) \"MIXED\"))",
            lines[0]);
    }

    [Fact]
    public async Task Body_peek_is_byte_exact_and_does_not_set_seen()
    {
        await using var f = await WithMessagesAsync();
        await f.Client.SendLineAsync("a FETCH 2 BODY.PEEK[]");
        var (prefix, data) = await ReadLiteralAsync(f);
        Assert.Equal("* 2 FETCH (BODY[] ", prefix);
        Assert.Equal(ImapFixture.Multipart, Encoding.UTF8.GetString(data));
        Assert.Equal([")", "a OK FETCH completed"], await f.Client.ReadUntilAsync("a "));
        var flags = await f.CommandAsync("b", "FETCH 2 FLAGS");
        Assert.Equal("* 2 FETCH (FLAGS ())", flags[0]);
    }

    [Fact]
    public async Task Body_sets_seen_and_reports_flags()
    {
        await using var f = await WithMessagesAsync();
        await f.Client.SendLineAsync("a FETCH 2 BODY[TEXT]");
        var (prefix, data) = await ReadLiteralAsync(f);
        Assert.Equal("* 2 FETCH (BODY[TEXT] ", prefix);
        string text = ImapFixture.Multipart[(ImapFixture.Multipart.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];
        Assert.Equal(text, Encoding.UTF8.GetString(data));
        Assert.Equal(" FLAGS (\\Seen))", await f.Client.ReadLineAsync());
        Assert.Equal("a OK FETCH completed", await f.Client.ReadLineAsync());
        var msgs = await f.Store.ListMessagesAsync(f.Inbox.Id);
        Assert.True(msgs[1].Flags.HasFlag(MessageFlags.Seen));
    }

    [Fact]
    public async Task Header_fields_and_partial()
    {
        await using var f = await WithMessagesAsync();
        await f.Client.SendLineAsync("a FETCH 1 (BODY.PEEK[HEADER.FIELDS (SUBJECT)] BODY.PEEK[]<6.3>)");
        var (prefix, data) = await ReadLiteralAsync(f);
        Assert.Equal("* 1 FETCH (BODY[HEADER.FIELDS (SUBJECT)] ", prefix);
        Assert.Equal("Subject: Hello Alice\r\n\r\n", Encoding.UTF8.GetString(data));
        var (prefix2, data2) = await ReadLiteralAsync(f);
        Assert.Equal(" BODY[]<6> ", prefix2);
        Assert.Equal("Bob", Encoding.UTF8.GetString(data2));
        Assert.Equal([")", "a OK FETCH completed"], await f.Client.ReadUntilAsync("a "));
    }

    [Fact]
    public async Task Parts_and_mime_headers()
    {
        await using var f = await WithMessagesAsync();
        await f.Client.SendLineAsync("a FETCH 2 (BODY.PEEK[1] BODY.PEEK[2.MIME] BODY.PEEK[2] BODY.PEEK[HEADER.FIELDS.NOT (FROM TO DATE MIME-VERSION CONTENT-TYPE)])");
        var (_, part1) = await ReadLiteralAsync(f);
        // The CRLF before a boundary belongs to the boundary (RFC 2046 5.1.1), not to the part.
        Assert.Equal("See the attachment, banana.", Encoding.UTF8.GetString(part1));
        var (_, mime2) = await ReadLiteralAsync(f);
        Assert.Equal("Content-Type: application/octet-stream; name=\"r.bin\"\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"r.bin\"\r\n\r\n", Encoding.UTF8.GetString(mime2));
        var (_, part2) = await ReadLiteralAsync(f);
        Assert.Equal("AAECAwQF", Encoding.UTF8.GetString(part2));
        var (_, rest) = await ReadLiteralAsync(f);
        Assert.Equal("Subject: Report attached\r\n\r\n", Encoding.UTF8.GetString(rest));
    }

    [Fact]
    public async Task Rfc822_items_and_macros()
    {
        await using var f = await WithMessagesAsync();
        await f.Client.SendLineAsync("a FETCH 1 RFC822.HEADER");
        var (prefix, header) = await ReadLiteralAsync(f);
        Assert.Equal("* 1 FETCH (RFC822.HEADER ", prefix);
        Assert.EndsWith("Message-ID: <1@example.net>\r\n\r\n", Encoding.UTF8.GetString(header));
        await f.Client.ReadUntilAsync("a ");

        var fast = await f.CommandAsync("b", "FETCH 1 FAST");
        Assert.StartsWith("* 1 FETCH (FLAGS (\\Seen) INTERNALDATE ", fast[0]);
        Assert.Contains("RFC822.SIZE", fast[0]);
        var all = await f.CommandAsync("c", "FETCH 1 ALL");
        Assert.Contains("ENVELOPE (", all[0]);
        var full = await f.CommandAsync("d", "FETCH 1 FULL");
        Assert.Contains(" BODY (\"TEXT\" \"PLAIN\"", full[0]);
    }

    [Theory]
    [InlineData("FETCH 1 BOGUS")]
    [InlineData("FETCH 1 BODY[HEAD]")]
    [InlineData("FETCH 1 BODY[]<5>")]
    [InlineData("FETCH x FLAGS")]
    [InlineData("FETCH 1 (FLAGS ALL)")]
    [InlineData("FETCH 1")]
    public async Task Bad_fetches_get_bad(string command)
    {
        await using var f = await WithMessagesAsync();
        var lines = await f.CommandAsync("a", command);
        Assert.Equal(["a BAD"], lines.Select(l => l[..5]));
        var ok = await f.CommandAsync("b", "NOOP");
        Assert.Equal("b OK NOOP completed", ok[^1]);
    }

    [Fact]
    public async Task Part_one_of_a_single_part_message_is_its_body()
    {
        await using var f = await WithMessagesAsync();
        await f.Client.SendLineAsync("a FETCH 1 (BODY.PEEK[1] BODY.PEEK[2] BODY.PEEK[TEXT]<100.5>)");
        var (_, part1) = await ReadLiteralAsync(f);
        Assert.Equal("Hi there,\r\nthis is a test.\r\n", Encoding.UTF8.GetString(part1));
        var (_, missing) = await ReadLiteralAsync(f);
        Assert.Empty(missing);
        var (prefix, beyond) = await ReadLiteralAsync(f);
        Assert.Equal(" BODY[TEXT]<100> ", prefix);
        Assert.Empty(beyond);
        Assert.Equal([")", "a OK FETCH completed"], await f.Client.ReadUntilAsync("a "));
    }
}
