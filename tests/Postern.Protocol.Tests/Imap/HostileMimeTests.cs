using System.Diagnostics;
using System.Text;
using Postern.Imap.Mime;
using Postern.Imap.Parsing;
using Xunit;

namespace Postern.Protocol.Tests.Imap;

/// <summary>The MIME limits of ParsedMessage (issue 5 point 4): bounded work, stored octets untouched.</summary>
public class HostileMimeTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private static byte[] Ascii(string s) => Encoding.ASCII.GetBytes(s);

    private static string ManyParts(int parts)
    {
        var sb = new StringBuilder("Subject: parts\r\nContent-Type: multipart/mixed; boundary=\"p\"\r\n\r\n");
        for (int i = 0; i < parts; i++)
        {
            sb.Append("--p\r\n\r\nx").Append(i).Append("\r\n");
        }

        return sb.Append("--p--\r\n").ToString();
    }

    [Fact]
    public void PartsBeyondTheLimitAreNotSplitOutButStayInTheMessage()
    {
        var raw = Ascii(ManyParts(ParsedMessage.MaxParts * 2));
        var clock = Stopwatch.StartNew();
        var pm = ParsedMessage.Parse(raw);
        string structure = BodyStructureWriter.Write(pm, extensible: false);
        Assert.True(clock.Elapsed < Bound, clock.Elapsed.ToString());

        int leaves = structure.Split("(\"TEXT\" \"PLAIN\"").Length - 1;
        Assert.InRange(leaves, ParsedMessage.MaxParts - 2, ParsedMessage.MaxParts);
        Assert.EndsWith(" \"MIXED\")", structure, StringComparison.Ordinal);

        // The first part is intact; the whole message is still every stored octet.
        Assert.Equal("x0", Encoding.ASCII.GetString(SectionReader.Read(pm, new BodySection([1], SectionText.None, [])).Span));
        Assert.Equal(raw, SectionReader.Read(pm, new BodySection([], SectionText.None, [])).ToArray());
    }

    [Fact]
    public void FewerPartsThanTheLimitAreAllShown()
    {
        var pm = ParsedMessage.Parse(Ascii(ManyParts(100)));
        Assert.Equal(100, BodyStructureWriter.Write(pm, extensible: false).Split("(\"TEXT\" \"PLAIN\"").Length - 1);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AMultiMegabyteFoldedHeaderIsCutForParsingNotInTheStoredOctets(bool nested)
    {
        var field = new StringBuilder("Subject: start");
        while (field.Length < 2_000_000)
        {
            field.Append("\r\n aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
        }

        string text = nested
            ? "Subject: outer\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\n" + field + "\r\n\r\nbody\r\n--b--\r\n"
            : field + "\r\nFrom: a@b.test\r\n\r\nbody\r\n";
        var raw = Ascii(text);
        var clock = Stopwatch.StartNew();
        var pm = ParsedMessage.Parse(raw);
        string envelope = EnvelopeWriter.Write(pm.Message);
        BodyStructureWriter.Write(pm, extensible: true);
        Assert.True(clock.Elapsed < Bound, clock.Elapsed.ToString());
        Assert.True(envelope.Length < ParsedMessage.MaxHeaderFieldBytes * 2, envelope.Length.ToString());

        // BODY[HEADER] is what was stored, all of it; the body text is still searchable.
        var header = SectionReader.Read(pm, new BodySection([], SectionText.Header, []));
        Assert.Equal(ParsedMessage.FindBodyStart(raw, 0, raw.Length), header.Length);
        Assert.Contains("body", nested ? Encoding.ASCII.GetString(raw[header.Length..]) : pm.Message.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public void ACutTopLevelHeaderKeepsTheMimeStructureAndExactSections()
    {
        var field = new StringBuilder("To: a0@x.test");
        for (int i = 1; field.Length < 500_000; i++)
        {
            field.Append(",\r\n a").Append(i).Append("@x.test");
        }

        var raw = Ascii(field + "\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nfirst needle\r\n--b\r\nContent-Type: text/html\r\n\r\n<p>second</p>\r\n--b--\r\n");
        var pm = ParsedMessage.Parse(raw);
        string structure = BodyStructureWriter.Write(pm, extensible: false);
        Assert.StartsWith("((\"TEXT\" \"PLAIN\"", structure, StringComparison.Ordinal);
        Assert.Contains("(\"TEXT\" \"HTML\"", structure, StringComparison.Ordinal);
        Assert.Equal("<p>second</p>", Encoding.ASCII.GetString(SectionReader.Read(pm, new BodySection([2], SectionText.None, [])).Span));
        Assert.Equal("Content-Type: text/html\r\n\r\n", Encoding.ASCII.GetString(SectionReader.Read(pm, new BodySection([2], SectionText.Mime, [])).Span));
        Assert.Contains("first needle", pm.Message.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public void AHugeSingleLineHeaderIsCut()
    {
        var raw = Ascii("X-Huge: " + new string('h', 3_000_000) + "\r\nSubject: s\r\n\r\nbody\r\n");
        var pm = ParsedMessage.Parse(raw);
        Assert.Equal("s", pm.Message.Subject);
        Assert.Equal(raw, SectionReader.Read(pm, new BodySection([], SectionText.None, [])).ToArray());
    }

    [Fact]
    public void LongIndentedBodyTextIsNotMistakenForAHeader()
    {
        var body = new StringBuilder();
        for (int i = 0; i < 5000; i++)
        {
            body.Append("    indented code line ").Append(i).Append("\r\n");
        }

        var raw = Ascii("Subject: s\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nstart\r\n" + body + "--b\r\n\r\nsecond\r\n--b--\r\n");
        Assert.False(HeaderBloat.HasOversizedField(raw, ParsedMessage.MaxHeaderFieldBytes));
        var pm = ParsedMessage.Parse(raw);
        Assert.Equal(2, BodyStructureWriter.Write(pm, extensible: false).Split("(\"TEXT\" \"PLAIN\"").Length - 1);
    }

    [Fact]
    public void AnOversizedFieldInsideAnEmbeddedMessageIsFound()
    {
        string big = "X: " + new string('a', ParsedMessage.MaxHeaderFieldBytes + 10);
        var raw = Ascii("Subject: s\r\nContent-Type: message/rfc822\r\n\r\n" + big + "\r\n\r\nbody\r\n");
        Assert.True(HeaderBloat.HasOversizedField(raw, ParsedMessage.MaxHeaderFieldBytes));
    }

    [Fact]
    public void CompactKeepsSmallFieldsAndEndsWithTheBlankLine()
    {
        var header = Ascii("A: 1\r\nB: 2\r\n continued\r\n\r\n");
        Assert.Equal(header, HeaderBloat.Compact(header, 1000));
        Assert.Equal(Ascii("A: 1\r\nB: 2\r\n\r\n"), HeaderBloat.Compact(header, 8));
    }
}
