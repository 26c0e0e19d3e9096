using System.Text;
using Postern.Net;
using Postern.Storage;
using Postern.Storage.Accounts;
using Postern.Testing;

namespace Postern.Fuzz.Support;

/// <summary>What every session target starts from: a certificate, and a fresh in-memory store per input.</summary>
public static class Fixtures
{
    public const string User = "alice@example.org";
    public const string Password = "secret";

    private static readonly Lazy<TlsPolicy> SharedTls = new(() => new TlsPolicy(SelfSignedCertificate.Create("mail.test"), TimeSpan.FromSeconds(10)));

    // One hash for every input: PBKDF2 at 1000 iterations keeps LOGIN cheap; the value differs per
    // process (random salt), which changes no code path.
    private static readonly Lazy<string> AliceHash = new(() => PasswordHasher.Hash(Password, iterations: 1000));

    public static TlsPolicy Tls => SharedTls.Value;

    /// <summary>Messages in alice's INBOX: plain, multipart with an attachment, and a forwarded message.</summary>
    public static readonly string[] Messages =
    [
        "From: Bob Example <bob@example.net>\r\nTo: alice@example.org\r\nSubject: Hello Alice\r\n" +
        "Date: Mon, 02 Feb 2026 10:00:00 +0000\r\nMessage-ID: <1@example.net>\r\n\r\nHi there,\r\nthis is a test.\r\n",

        "From: carol@example.com\r\nTo: alice@example.org, dave@example.com\r\nSubject: Re: Report attached\r\n" +
        "Date: Tue, 03 Feb 2026 11:00:00 +0100\r\nMessage-ID: <2@example.com>\r\nIn-Reply-To: <1@example.net>\r\n" +
        "References: <1@example.net>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"XX\"\r\n\r\n" +
        "preamble\r\n--XX\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSee the attachment, banana.\r\n" +
        "--XX\r\nContent-Type: application/octet-stream; name=\"r.bin\"\r\nContent-Transfer-Encoding: base64\r\n" +
        "Content-Disposition: attachment; filename=\"r.bin\"\r\n\r\nAAECAwQF\r\n--XX--\r\n",

        "From: =?utf-8?q?J=C3=BCrgen?= <j@example.de>\r\nTo: alice@example.org\r\nSubject: Fwd: Hello\r\n" +
        "Date: Wed, 04 Feb 2026 12:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"o\"\r\n\r\n" +
        "--o\r\nContent-Type: text/html; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n<p>Gr=FC=DFe</p>\r\n" +
        "--o\r\nContent-Type: message/rfc822\r\n\r\nFrom: x@example.net\r\nSubject: inner\r\n\r\ninner body\r\n--o--\r\n",
    ];

    /// <summary>A store with example.org, alice (INBOX holding <see cref="Messages"/>, plus a small folder tree) and bob@example.net.</summary>
    public static async Task<(MemoryMailStore Store, Authenticator Auth)> CreateStoreAsync()
    {
        var store = new MemoryMailStore();
        await store.AddDomainAsync("example.org");
        await store.AddDomainAsync("example.net");
        var alice = await store.AddAccountAsync(User, AliceHash.Value);
        await store.AddAccountAsync("bob@example.net", AliceHash.Value);
        var inbox = (await store.GetMailboxAsync(alice.Id, "INBOX"))!;
        var date = new DateTimeOffset(2026, 2, 2, 10, 0, 5, TimeSpan.Zero);
        var flags = new[] { MessageFlags.Seen, MessageFlags.Flagged | MessageFlags.Seen, MessageFlags.None };
        for (int i = 0; i < Messages.Length; i++)
        {
            await store.AppendAsync(inbox.Id, new MemoryStream(Encoding.UTF8.GetBytes(Messages[i])), flags[i], date.AddDays(i));
        }

        foreach (string name in (string[])["Archive/2025", "Projekte", "Projekte/Ärger"])
        {
            await store.CreateMailboxAsync(alice.Id, name);
        }

        // Failed logins wait 1 ms, not the server's seconds, so a fuzz input with many is not a hang.
        return (store, new Authenticator(store, failureDelay: TimeSpan.FromMilliseconds(1)));
    }
}
