using System.Text;
using Xunit;

namespace Postern.Protocol.Tests.Imap;

public class NestedMessageTests
{
    private const string Forward =
        "From: eve@example.com\r\n" +
        "Subject: Fwd\r\n" +
        "MIME-Version: 1.0\r\n" +
        "Content-Type: multipart/mixed; boundary=B1\r\n" +
        "\r\n" +
        "--B1\r\n" +
        "Content-Type: text/plain\r\n" +
        "\r\n" +
        "See below.\r\n" +
        "--B1\r\n" +
        "Content-Type: message/rfc822\r\n" +
        "\r\n" +
        "From: bob@example.net\r\n" +
        "Subject: Inner\r\n" +
        "\r\n" +
        "Inner body.\r\n" +
        "--B1--\r\n";

    [Fact]
    public async Task Sections_of_an_encapsulated_message()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        await f.AppendAsync(Forward);
        await f.CommandAsync("s", "SELECT INBOX");

        await f.Client.SendLineAsync("a FETCH 1 (BODY.PEEK[2.HEADER] BODY.PEEK[2.TEXT] BODY.PEEK[2.1] BODY.PEEK[2])");
        var expected = new[]
        {
            "From: bob@example.net\r\nSubject: Inner\r\n\r\n",
            "Inner body.",
            "Inner body.",
            "From: bob@example.net\r\nSubject: Inner\r\n\r\nInner body.",
        };
        foreach (var want in expected)
        {
            var line = (await f.Client.ReadLineAsync())!;
            int open = line.LastIndexOf('{');
            var data = await f.Client.ReadBytesAsync(int.Parse(line[(open + 1)..^1]));
            Assert.Equal(want, Encoding.UTF8.GetString(data));
        }

        Assert.Equal([")", "a OK FETCH completed"], await f.Client.ReadUntilAsync("a "));

        var bs = await f.CommandAsync("b", "FETCH 1 BODYSTRUCTURE");
        Assert.Contains("(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 52 (NIL \"Inner\" ((NIL NIL \"bob\" \"example.net\"))", bs[0]);
        Assert.Contains("(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 11 1", bs[0]);
    }
}
