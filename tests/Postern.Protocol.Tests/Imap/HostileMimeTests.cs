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
        Assert.False(HeaderBloat.IsBloated(raw, ParsedMessage.HeaderLimits));
        var pm = ParsedMessage.Parse(raw);
        Assert.Equal(2, BodyStructureWriter.Write(pm, extensible: false).Split("(\"TEXT\" \"PLAIN\"").Length - 1);
    }

    [Fact]
    public void AnOversizedFieldInsideAnEmbeddedMessageIsFound()
    {
        string big = "X: " + new string('a', ParsedMessage.MaxHeaderFieldBytes + 10);
        var raw = Ascii("Subject: s\r\nContent-Type: message/rfc822\r\n\r\n" + big + "\r\n\r\nbody\r\n");
        Assert.True(HeaderBloat.IsBloated(raw, ParsedMessage.HeaderLimits));
    }

    [Fact]
    public void CompactKeepsSmallFieldsAndEndsWithTheBlankLine()
    {
        var header = Ascii("A: 1\r\nB: 2\r\n continued\r\n\r\n");
        Assert.Equal(header, HeaderBloat.Compact(header, new HeaderLimits(1000, 10, 1000)));
        Assert.Equal(Ascii("A: 1\r\nB: 2\r\n\r\n"), HeaderBloat.Compact(header, new HeaderLimits(8, 10, 1000)));
    }

    /// <summary>
    /// Issue 9 point 7: 500,000 To: fields (14 MB of header) cost MimeKit 0.3-1 s of CPU to parse
    /// and 1.2-2.2 s to turn into an 18 MB ENVELOPE; the first 1000 fields cost milliseconds.
    /// </summary>
    [Fact]
    public void Half_a_million_To_fields_give_a_bounded_envelope_and_an_exact_header()
    {
        var sb = new StringBuilder("From: a@b.test\r\nSubject: many\r\n");
        for (int i = 0; i < 500_000; i++)
        {
            sb.Append("To: user").Append(i).Append("@example.org\r\n");
        }

        var raw = Ascii(sb.Append("Message-ID: <late@b.test>\r\n\r\nbody\r\n").ToString());
        var clock = Stopwatch.StartNew();
        var pm = ParsedMessage.Parse(raw);
        string envelope = EnvelopeWriter.Write(pm.Message);
        Assert.True(clock.Elapsed < Bound, clock.Elapsed.ToString());

        // The first MaxHeaderFields fields: From, Subject and 998 To fields; the Message-ID after them still counts.
        Assert.StartsWith("(NIL \"many\" ((NIL NIL \"a\" \"b.test\"))", envelope, StringComparison.Ordinal);
        Assert.Contains("(NIL NIL \"user997\" \"example.org\")", envelope, StringComparison.Ordinal);
        Assert.DoesNotContain("\"user998\"", envelope, StringComparison.Ordinal);
        Assert.EndsWith(" NIL \"<late@b.test>\")", envelope, StringComparison.Ordinal);
        Assert.True(envelope.Length < 64 * 1024, envelope.Length.ToString());

        var header = SectionReader.Read(pm, new BodySection([], SectionText.Header, []));
        Assert.Equal(raw.AsMemory(0, raw.Length - "body\r\n".Length).ToArray(), header.ToArray());
        Assert.Equal("body\r\n", Encoding.ASCII.GetString(SectionReader.Read(pm, new BodySection([], SectionText.Text, [])).Span));
    }

    [Fact]
    public void Subject_and_MIME_type_behind_thousands_of_fields_are_still_seen()
    {
        var sb = new StringBuilder();
        for (int i = 0; i < 5000; i++)
        {
            sb.Append("X-Junk: ").Append(i).Append("\r\n");
        }

        sb.Append("Subject: hidden\r\nContent-Type: multipart/mixed;\r\n boundary=\"b\"\r\n\r\n");
        sb.Append("--b\r\nContent-Type: text/plain\r\n\r\nfirst\r\n--b\r\nContent-Type: text/html\r\n\r\n<p>second</p>\r\n--b--\r\n");
        var pm = ParsedMessage.Parse(Ascii(sb.ToString()));
        Assert.Equal("hidden", pm.Message.Subject);
        string structure = BodyStructureWriter.Write(pm, extensible: false);
        Assert.StartsWith("((\"TEXT\" \"PLAIN\"", structure, StringComparison.Ordinal);
        Assert.Equal("<p>second</p>", Encoding.ASCII.GetString(SectionReader.Read(pm, new BodySection([2], SectionText.None, [])).Span));
    }

    [Theory]
    [InlineData(1000, false)]
    [InlineData(1001, true)]
    public void The_field_limit_counts_fields_not_lines(int fields, bool bloated)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < fields; i++)
        {
            // Folded: two lines per field.
            sb.Append("X-F: ").Append(i).Append("\r\n continued\r\n");
        }

        Assert.Equal(bloated, HeaderBloat.IsBloated(Ascii(sb + "\r\nbody\r\n"), ParsedMessage.HeaderLimits));
    }

    [Fact]
    public void A_nested_header_with_too_many_fields_makes_the_message_opaque()
    {
        var part = new StringBuilder();
        for (int i = 0; i < 2000; i++)
        {
            part.Append("X-Junk: ").Append(i).Append("\r\n");
        }

        var raw = Ascii("Subject: outer\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\n" + part + "\r\nneedle\r\n--b--\r\n");
        Assert.True(HeaderBloat.IsBloated(raw, ParsedMessage.HeaderLimits, checkFirstBlock: false));
        var pm = ParsedMessage.Parse(raw);
        Assert.Equal("outer", pm.Message.Subject);
        Assert.Equal(raw, SectionReader.Read(pm, new BodySection([], SectionText.None, [])).ToArray());
    }
}
