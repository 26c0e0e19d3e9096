using System.Text;
using Postern.Storage;
using Xunit;

namespace Postern.Protocol.Tests.Imap;

/// <summary>BINARY (RFC 3516): FETCH BINARY[]/BINARY.PEEK[]/BINARY.SIZE[] with transfer decoding, UNKNOWN-CTE, literal8 APPEND.</summary>
public class BinaryTests
{
    private const string QuotedPrintable =
        "Subject: qp\r\n" +
        "Content-Type: text/plain; charset=utf-8\r\n" +
        "Content-Transfer-Encoding: quoted-printable\r\n" +
        "\r\n" +
        "Gr=C3=BC=C3=9Fe =3D ok=\r\nsoft\r\n";

    private const string Unknown =
        "Subject: uu\r\n" +
        "Content-Transfer-Encoding: x-uuencode\r\n" +
        "\r\n" +
        "begin 644 x\r\n";

    [Fact]
    public async Task Base64_part_is_decoded_into_a_literal8_and_peek_keeps_unseen()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        await f.AppendAsync(ImapFixture.Multipart);
        await f.CommandAsync("s", "SELECT INBOX");
        await f.Client.SendLineAsync("a FETCH 1 (BINARY.PEEK[2] BINARY.SIZE[2] BINARY.SIZE[1])");
        Assert.Equal("* 1 FETCH (BINARY[2] ~{6}", await f.Client.ReadLineAsync());
        Assert.Equal(new byte[] { 0, 1, 2, 3, 4, 5 }, await f.Client.ReadBytesAsync(6));
        Assert.Equal([" BINARY.SIZE[2] 6 BINARY.SIZE[1] 27)", "a OK FETCH completed"], await f.Client.ReadUntilAsync("a "));
        Assert.Equal(MessageFlags.None, (await f.Store.ListMessagesAsync(f.Inbox.Id))[0].Flags);
    }

    [Fact]
    public async Task Quoted_printable_is_decoded_partial_applies_to_decoded_octets_and_binary_sets_seen()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        await f.AppendAsync(QuotedPrintable);
        await f.SeenByEarlierSessionAsync();
        await f.CommandAsync("s", "SELECT INBOX");
        byte[] decoded = Encoding.UTF8.GetBytes("Grüße = oksoft\r\n");
        await f.Client.SendLineAsync("a FETCH 1 (BINARY[1] BINARY[1]<2.4> BINARY.SIZE[1])");
        Assert.Equal($"* 1 FETCH (BINARY[1] {{{decoded.Length}}}", await f.Client.ReadLineAsync());
        Assert.Equal(decoded, await f.Client.ReadBytesAsync(decoded.Length));
        Assert.Equal(" BINARY[1]<2> {4}", await f.Client.ReadLineAsync());
        Assert.Equal(decoded[2..6], await f.Client.ReadBytesAsync(4));
        Assert.Equal([$" BINARY.SIZE[1] {decoded.Length} FLAGS (\\Seen))", "a OK FETCH completed"], await f.Client.ReadUntilAsync("a "));
    }

    /// <summary>
    /// RFC 2045 6.7: trailing white space on an encoded line is transport padding and goes, also
    /// after a soft line break's "="; a hard line break is CRLF; "_" is no space outside RFC 2047
    /// words. BINARY.SIZE and partial fetches count the decoded octets (imaptest fetch-binary-mime-qp).
    /// </summary>
    [Fact]
    public async Task Quoted_printable_drops_transport_padding_and_soft_breaks()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        await f.AppendAsync(
            "Subject: qp padding\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" +
            "hello  \r\nbar=\r\n\r\nfoo\t=\r\nbar\r\nfoo\t \t= \r\n=62\r\nfoo = \t\r\nbar\r\nfoo =\r\n=62\r\nfoo  \r\nbar=\r\n\r\nfoo_bar\r\n");
        await f.CommandAsync("s", "SELECT INBOX");
        byte[] decoded = Encoding.ASCII.GetBytes("hello\r\nbar\r\nfoo\tbar\r\nfoo\t \tb\r\nfoo bar\r\nfoo b\r\nfoo\r\nbar\r\nfoo_bar\r\n");
        await f.Client.SendLineAsync("a FETCH 1 (BINARY.SIZE[1] BINARY.PEEK[1] BINARY.PEEK[1]<20.10>)");
        Assert.Equal($"* 1 FETCH (BINARY.SIZE[1] {decoded.Length} BINARY[1] {{{decoded.Length}}}", await f.Client.ReadLineAsync());
        Assert.Equal(Encoding.ASCII.GetString(decoded), Encoding.ASCII.GetString(await f.Client.ReadBytesAsync(decoded.Length)));
        Assert.Equal(" BINARY[1]<20> {10}", await f.Client.ReadLineAsync());
        Assert.Equal(decoded[20..30], await f.Client.ReadBytesAsync(10));
        Assert.Equal([")", "a OK FETCH completed"], await f.Client.ReadUntilAsync("a "));
    }

    /// <summary>Edge cases of the decoder itself: lower-case hex, an "=" that starts no escape, bare LF, no final line break.</summary>
    [Theory]
    [InlineData("a=3db=3D", "a=b=")]
    [InlineData("50=25 =ZZ off=", "50% =ZZ off")]
    [InlineData("x \ny\t\n", "x\r\ny\r\n")]
    [InlineData("last line", "last line")]
    [InlineData("=\r\n=\r\n", "")]
    [InlineData("", "")]
    public void Quoted_printable_decoder(string encoded, string expected) =>
        Assert.Equal(expected, Encoding.ASCII.GetString(Postern.Imap.Mime.BinaryDecoder.Decode(Encoding.ASCII.GetBytes(encoded), "quoted-printable").Span));

    [Fact]
    public async Task Unknown_encoding_is_a_tagged_no_without_partial_output()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        await f.AppendAsync(Unknown);
        await f.CommandAsync("s", "SELECT INBOX");
        Assert.Equal(["a NO [UNKNOWN-CTE] Cannot decode the content-transfer-encoding of this part"], await f.CommandAsync("a", "FETCH 1 (UID BINARY.PEEK[1])"));
        Assert.Equal(["* 1 FETCH (UID 1)", "b OK FETCH completed"], await f.CommandAsync("b", "FETCH 1 UID"));
    }

    [Fact]
    public async Task Invalid_binary_items_are_bad()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        await f.AppendAsync(ImapFixture.Simple);
        await f.CommandAsync("s", "SELECT INBOX");
        Assert.Equal(["a BAD Invalid binary section"], await f.CommandAsync("a", "FETCH 1 BINARY[1.TEXT]"));
        Assert.Equal(["b BAD Invalid partial"], await f.CommandAsync("b", "FETCH 1 BINARY.SIZE[1]<0.5>"));
    }

    /// <summary>
    /// A literal8 APPEND may carry NUL octets, which no BODY literal may (RFC 3501 9: CHAR8 has no
    /// NUL). RFC 3516 4.4 and 6: the server re-encodes such a part in a CTE IMAP4rev1 can carry, so
    /// BODY and BODYSTRUCTURE describe base64 while BINARY[part] still returns the original octets;
    /// parts without NUL are stored byte for byte (imaptest append-binary).
    /// </summary>
    [Fact]
    public async Task Literal8_append_stores_nul_parts_as_base64_and_binary_returns_the_original_octets()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        byte[] nulPart = [0, (byte)'-', 0xe4, (byte)'\n', (byte)'\r', (byte)'\n', (byte)'\n'];
        byte[] message = [.. Encoding.ASCII.GetBytes(
            "Subject: nul\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n" +
            "--b\r\nContent-Type: text/plain\r\n\r\nplain text\r\n" +
            "--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\n\tx-folded\r\n\r\n"), .. nulPart,
            .. Encoding.ASCII.GetBytes("\r\n--b--\r\n")];
        await f.Client.SendLineAsync($"a APPEND INBOX ~{{{message.Length}}}");
        Assert.Equal("+ Ready for literal data", await f.Client.ReadLineAsync());
        await f.Client.SendBytesAsync([.. message, (byte)'\r', (byte)'\n']);
        Assert.Equal([$"a OK [APPENDUID {f.Inbox.UidValidity} 1] APPEND completed"], await f.Client.ReadUntilAsync("a "));

        await f.CommandAsync("s", "EXAMINE INBOX");
        string base64 = Convert.ToBase64String(nulPart);
        Assert.Equal(
            [$"* 1 FETCH (BODY[1] {{10}}", "plain text BODY[2] {" + base64.Length + "}", base64 + " BODY[2.MIME] {77}", "Content-Type: application/octet-stream", "Content-Transfer-Encoding: base64", "", ")", "b OK FETCH completed"],
            await f.CommandAsync("b", "FETCH 1 (BODY.PEEK[1] BODY.PEEK[2] BODY.PEEK[2.MIME])"));
        Assert.Contains("(\"APPLICATION\" \"OCTET-STREAM\" NIL NIL NIL \"BASE64\" " + base64.Length + " NIL NIL NIL NIL)", (await f.CommandAsync("c", "FETCH 1 BODYSTRUCTURE"))[0]);

        await f.Client.SendLineAsync("d FETCH 1 (BINARY.SIZE[2] BINARY.PEEK[2])");
        Assert.Equal($"* 1 FETCH (BINARY.SIZE[2] {nulPart.Length} BINARY[2] ~{{{nulPart.Length}}}", await f.Client.ReadLineAsync());
        Assert.Equal(nulPart, await f.Client.ReadBytesAsync(nulPart.Length));
        Assert.Equal([")", "d OK FETCH completed"], await f.Client.ReadUntilAsync("d "));
    }

    /// <summary>Without NUL a literal8 message is stored exactly as sent, "binary" CTE and all; BINARY[] streams it back.</summary>
    [Fact]
    public async Task Literal8_append_without_nul_is_stored_byte_exact()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        byte[] message = [.. Encoding.ASCII.GetBytes("Subject: eight\r\nContent-Transfer-Encoding: binary\r\n\r\nA"), 0xff, .. Encoding.ASCII.GetBytes("B\r\n")];
        await f.Client.SendLineAsync($"a APPEND INBOX ~{{{message.Length}}}");
        Assert.Equal("+ Ready for literal data", await f.Client.ReadLineAsync());
        await f.Client.SendBytesAsync([.. message, (byte)'\r', (byte)'\n']);
        Assert.StartsWith("a OK [APPENDUID", (await f.Client.ReadUntilAsync("a "))[^1]);

        await f.CommandAsync("s", "EXAMINE INBOX");
        await f.Client.SendLineAsync("b FETCH 1 (BINARY.PEEK[] BINARY.SIZE[])");
        Assert.Equal($"* 1 FETCH (BINARY[] ~{{{message.Length}}}", await f.Client.ReadLineAsync());
        Assert.Equal(message, await f.Client.ReadBytesAsync(message.Length));
        Assert.Equal([$" BINARY.SIZE[] {message.Length})", "b OK FETCH completed"], await f.Client.ReadUntilAsync("b "));
    }
}
