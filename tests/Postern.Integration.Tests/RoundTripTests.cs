using System.Text;
using MailKit;
using MailKit.Search;
using MimeKit;
using Postern.Integration.Tests.Support;

namespace Postern.Integration.Tests;

/// <summary>
/// The end-to-end promise of issue 2: a message submitted on 465, 587 or 26, or received from
/// another server on 25, arrives byte-exact and is readable over IMAP 993 and 143 and POP3 995 and 110.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class RoundTripTests(ServerFixture server)
{
    /// <summary>A message with a dot-leading line (dot-stuffing), a long header and a UTF-8 encoded-word.</summary>
    private static byte[] Message(string subject, string from, string to) => Encoding.ASCII.GetBytes(
        $"From: Sender <{from}>\r\n" +
        $"To: <{to}>\r\n" +
        $"Subject: {subject}\r\n" +
        "Date: Thu, 26 Nov 2026 12:00:00 +0000\r\n" +
        $"Message-ID: <{Guid.NewGuid():N}@client.test>\r\n" +
        "X-Long: " + new string('x', 200) + "\r\n" +
        "MIME-Version: 1.0\r\n" +
        "Content-Type: text/plain; charset=utf-8\r\n" +
        "Content-Transfer-Encoding: quoted-printable\r\n" +
        "\r\n" +
        "Hello =C3=A9t=C3=A9,\r\n" +
        ".a line that starts with a dot\r\n" +
        "..and one with two\r\n" +
        "\r\n" +
        "-- \r\nsig\r\n");

    [Theory]
    [InlineData(465)]
    [InlineData(587)]
    [InlineData(26)]
    [InlineData(25)]
    public async Task Message_arrives_byte_exact_on_every_reading_endpoint(int submitPort)
    {
        string subject = $"round trip via {submitPort} {Guid.NewGuid():N}";
        string recipient = ServerFixture.User("bob");
        string sender = submitPort == 25 ? "someone@elsewhere.test" : ServerFixture.User("alice");
        byte[] original = Message(subject, sender, recipient);

        using (var smtp = await MailKitClients.SmtpAsync(server, submitPort, submitPort == 25 ? null : ServerFixture.User("alice")))
        {
            Assert.True(smtp.IsSecure, "the SMTP session must be TLS");
            var message = MimeMessage.Load(new MemoryStream(original));
            await smtp.SendAsync(message, MailboxAddress.Parse(sender), [MailboxAddress.Parse(recipient)]);
            await smtp.DisconnectAsync(true);
        }

        foreach (int imapPort in new[] { 993, 143 })
        {
            using var imap = await MailKitClients.ImapAsync(server, imapPort, recipient);
            Assert.True(imap.IsSecure);
            await imap.Inbox.OpenAsync(FolderAccess.ReadOnly);
            var uids = await imap.Inbox.SearchAsync(SearchQuery.SubjectContains(subject));
            var uid = Assert.Single(uids);
            using var raw = new MemoryStream();
            using (var body = await imap.Inbox.GetStreamAsync(uid, ""))
            {
                await body.CopyToAsync(raw);
            }

            AssertTraceThenExact(original, raw.ToArray(), $"IMAP {imapPort} after submit on {submitPort}");
            await imap.DisconnectAsync(true);
        }

        foreach (int popPort in new[] { 995, 110 })
        {
            using var pop = await MailKitClients.Pop3Async(server, popPort, recipient);
            Assert.True(pop.IsSecure);
            bool found = false;
            for (int i = 0; i < pop.Count && !found; i++)
            {
                using var raw = new MemoryStream();
                using (var s = await pop.GetStreamAsync(i))
                {
                    await s.CopyToAsync(raw);
                }

                var bytes = raw.ToArray();
                if (Encoding.ASCII.GetString(bytes).Contains(subject, StringComparison.Ordinal))
                {
                    AssertTraceThenExact(original, bytes, $"POP3 {popPort} after submit on {submitPort}");
                    found = true;
                }
            }

            Assert.True(found, $"POP3 {popPort} did not list the message sent on {submitPort}");
            await pop.DisconnectAsync(true);
        }
    }

    /// <summary>What was read is one Received trace header (RFC 5321 4.4) followed by exactly the bytes sent.</summary>
    private static void AssertTraceThenExact(byte[] sent, byte[] read, string where)
    {
        string text = Encoding.UTF8.GetString(read);
        Assert.True(text.StartsWith("Received: ", StringComparison.Ordinal), $"{where}: expected a Received header first, got: {text[..Math.Min(80, text.Length)]}");
        Assert.True(read.Length > sent.Length, $"{where}: the message read is shorter than the one sent");
        var tail = read.AsSpan(read.Length - sent.Length);
        Assert.True(tail.SequenceEqual(sent), $"{where}: the message body differs from what was sent:\n{text}");
        string trace = text[..(read.Length - sent.Length)];
        // Only the trace header was added: every added line is "Received:" or its folded continuation.
        var lines = trace.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("Received: ", lines[0]);
        Assert.All(lines.Skip(1), l => Assert.True(l[0] is ' ' or '\t', $"{where}: unexpected added line '{l}'"));
    }
}
