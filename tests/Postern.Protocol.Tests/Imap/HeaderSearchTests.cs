using Xunit;

namespace Postern.Protocol.Tests.Imap;

/// <summary>Header-field SEARCH reads only the header block; it must find the same messages as a full parse would.</summary>
public class HeaderSearchTests
{
    private static string Message(string subject, string extraHeaders, string body) =>
        $"From: Ann <ann@example.org>\r\nTo: alice@example.org\r\nSubject: {subject}\r\n{extraHeaders}Message-ID: <{Guid.NewGuid():N}@x>\r\n\r\n{body}";

    [Fact]
    public async Task Header_keys_match_headers_only_even_across_long_headers_and_bodies()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        // 1: the word is only in the body, disguised as a header line: SUBJECT must not match it.
        await f.AppendAsync(Message("plain", "", "Subject: zebrafish\r\n" + new string('b', 20_000) + "\r\n"));
        // 2: a header block longer than one read buffer, the subject after it.
        await f.AppendAsync(Message("first", "X-Long: " + new string('h', 12_000) + "\r\n", "body\r\n").Replace("Subject: first\r\n", ""));
        await f.AppendAsync(
            "From: bob@example.org\r\nX-Pad: " + new string('p', 9_000) + "\r\nSubject: late zebrafish\r\n\r\nshort\r\n");
        // 4: LF-only line endings (stored as received through APPEND).
        await f.AppendAsync("From: carol@example.org\nSubject: zebrafish in LF\n\nbody with quokka\n");
        await f.CommandAsync("s", "SELECT INBOX");

        Assert.Equal(["* SEARCH 3 4", "a OK SEARCH completed"], await f.CommandAsync("a", "SEARCH SUBJECT zebrafish"));
        Assert.Equal(["* SEARCH 3", "b OK SEARCH completed"], await f.CommandAsync("b", "SEARCH FROM bob"));
        Assert.Equal(["* SEARCH 2", "c OK SEARCH completed"], await f.CommandAsync("c", "SEARCH HEADER X-Long hhhh"));
        // BODY still reads bodies, and a mixed key (header AND body) too.
        Assert.Equal(["* SEARCH 1", "d OK SEARCH completed"], await f.CommandAsync("d", "SEARCH BODY zebrafish"));
        Assert.Equal(["* SEARCH 4", "e OK SEARCH completed"], await f.CommandAsync("e", "SEARCH SUBJECT zebrafish BODY quokka"));
    }
    /// <summary>
    /// FROM/TO/CC/BCC search the addresses as parsed, so comments and white space inside an address
    /// (RFC 5322 3.4.1 CFWS) and quoting do not hide it, and the display name (or the comment that
    /// stands for it) matches too; the raw text still matches. HEADER FROM stays a plain substring
    /// search of the field (imaptest search-addresses).
    /// </summary>
    [Fact]
    public async Task Address_keys_match_parsed_addresses()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        string[] froms =
        [
            "user-from@domain.org",
            "RealFrom <user-from@domain.org>",
            "<user-from (comment)@ (comment) domain.org>",
            "user-from@domain.org (RealFrom)",
            "user-from1@domain.org, user-from2@domain.org",
            "\"Real\\From\" <\"user-from\"@domain.org>",
            "team: user-from @ domain.org;",
        ];
        foreach (string from in froms)
        {
            await f.AppendAsync($"From: {from}\r\nTo: x@y.org\r\nSubject: s\r\n\r\nbody\r\n");
        }

        await f.CommandAsync("s", "SELECT INBOX");
        Assert.Equal(["* SEARCH 1 2 3 4 6 7", "a OK SEARCH completed"], await f.CommandAsync("a", "SEARCH FROM user-from@domain.org"));
        Assert.Equal(["* SEARCH 2 4 6", "b OK SEARCH completed"], await f.CommandAsync("b", "SEARCH FROM realfrom"));
        Assert.Equal(["* SEARCH 3", "c OK SEARCH completed"], await f.CommandAsync("c", "SEARCH FROM comment"));
        Assert.Equal(["* SEARCH 1 2 4", "d OK SEARCH completed"], await f.CommandAsync("d", "SEARCH HEADER FROM user-from@domain.org"));
        Assert.Equal(["* SEARCH 7", "e OK SEARCH completed"], await f.CommandAsync("e", "SEARCH FROM team"));
    }
}
