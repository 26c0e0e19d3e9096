using MimeKit;
using MimeKit.Text;

namespace Postern.Bench;

/// <summary>
/// Deterministic message corpus: message i is the same bytes on every run and for both servers,
/// so the two sides search and fetch identical data.
/// </summary>
public static class Corpus
{
    /// <summary>In the Subject of every 50th message (header search).</summary>
    public const string SubjectWord = "zebrafish";

    /// <summary>In the body text of every 37th message (TEXT search).</summary>
    public const string BodyWord = "quokka";

    private static readonly string[] Words =
    [
        "meeting", "report", "quarterly", "budget", "project", "review", "invoice", "schedule", "update", "draft",
        "customer", "release", "server", "storage", "network", "deadline", "holiday", "travel", "contract", "offer",
        "analysis", "summary", "question", "answer", "proposal", "design", "feedback", "agenda", "minutes", "team",
        "the", "a", "of", "and", "to", "in", "is", "for", "that", "with", "on", "as", "we", "please", "thanks",
    ];

    private static readonly string[] Names =
    [
        "Alice Martin", "Bob Schmidt", "Carla Rossi", "David Chen", "Eva Novak", "Frank Dubois", "Grace Kim",
        "Hiro Tanaka", "Ines Garcia", "Jon Berg", "Karin Olsen", "Luis Moreno", "Mia Weber", "Nils Larsen",
    ];

    public static bool HasSubjectWord(int i) => i % 50 == 0;

    public static bool HasBodyWord(int i) => i % 37 == 0;

    /// <summary>Builds message <paramref name="i"/> (0-based) addressed to <paramref name="to"/>.</summary>
    public static MimeMessage Build(int i, string to)
    {
        var rng = new Random(unchecked(i * 7919 + 17));
        var msg = new MimeMessage();
        string from = Names[rng.Next(Names.Length)];
        msg.From.Add(new MailboxAddress(from, from.Split(' ')[0].ToLowerInvariant() + "@example.net"));
        msg.To.Add(MailboxAddress.Parse(to));
        if (rng.Next(4) == 0)
        {
            string cc = Names[rng.Next(Names.Length)];
            msg.Cc.Add(new MailboxAddress(cc, cc.Split(' ')[1].ToLowerInvariant() + "@example.org"));
        }

        msg.Subject = Sentence(rng, 3 + rng.Next(6)) + (HasSubjectWord(i) ? " " + SubjectWord : "") + $" #{i}";
        msg.Date = new DateTimeOffset(2025, 1, 1, 8, 0, 0, TimeSpan.Zero).AddMinutes(i * 7);
        msg.MessageId = $"bench.{i}@example.net";
        if (i > 0 && rng.Next(3) == 0)
        {
            msg.InReplyTo = $"bench.{rng.Next(i)}@example.net";
        }

        msg.Headers.Add("X-Mailer", "Postern.Bench corpus");

        // Sizes 2-50 KB, skewed small like a real inbox.
        int roll = rng.Next(100);
        int target = roll < 70 ? 2_000 + rng.Next(6_000) : roll < 95 ? 8_000 + rng.Next(22_000) : 30_000 + rng.Next(20_000);
        bool multipart = rng.Next(5) == 0;
        int textSize = multipart ? Math.Max(800, target / 3) : target;

        var text = new System.Text.StringBuilder();
        while (text.Length < textSize)
        {
            text.Append(Sentence(rng, 6 + rng.Next(10))).Append(".\n");
            if (text.Length > textSize / 2 && HasBodyWord(i) && !text.ToString().Contains(BodyWord, StringComparison.Ordinal))
            {
                text.Append("Did you see the ").Append(BodyWord).Append(" photos?\n");
            }
        }

        var body = new TextPart(TextFormat.Plain) { Text = text.ToString() };
        if (!multipart)
        {
            msg.Body = body;
            return msg;
        }

        var mixed = new Multipart("mixed") { body };
        var bytes = new byte[Math.Max(500, target - textSize) * 3 / 4];
        rng.NextBytes(bytes);
        var attachment = new MimePart("application", "pdf")
        {
            Content = new MimeContent(new MemoryStream(bytes)),
            ContentDisposition = new ContentDisposition(ContentDisposition.Attachment),
            ContentTransferEncoding = ContentEncoding.Base64,
            FileName = $"document-{i}.pdf",
        };
        mixed.Add(attachment);
        msg.Body = mixed;
        return msg;
    }

    /// <summary>The message as bytes with the given line endings.</summary>
    public static byte[] Bytes(int i, string to, bool crlf)
    {
        var options = FormatOptions.Default.Clone();
        options.NewLineFormat = crlf ? NewLineFormat.Dos : NewLineFormat.Unix;
        using var ms = new MemoryStream();
        Build(i, to).WriteTo(options, ms);
        return ms.ToArray();
    }

    private static string Sentence(Random rng, int words)
    {
        var parts = new string[words];
        for (int w = 0; w < words; w++)
        {
            parts[w] = Words[rng.Next(Words.Length)];
        }

        parts[0] = char.ToUpperInvariant(parts[0][0]) + parts[0][1..];
        return string.Join(' ', parts);
    }
}
