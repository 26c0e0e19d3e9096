using System.Text;
using Postern.Imap;
using Postern.Imap.Parsing;
using Postern.Storage;
using Xunit;

namespace Postern.Protocol.Tests.Imap;

/// <summary>Seeded random input: the parser never throws, and a session never faults or hits a server bug.</summary>
public class RobustnessTests
{
    private static readonly string[] Words =
    [
        "a", "FETCH", "UID", "STORE", "SEARCH", "SELECT", "EXAMINE", "LIST", "STATUS", "COPY", "NOOP", "CHECK", "EXPUNGE",
        "1", "*", "1:*", "*:2", "0", "4294967295", "1,2:3", "(", ")", "\"", "\"x\"", "{3}", "{2+}", "[", "]", "<0.5>",
        "BODY[]", "BODY.PEEK[HEADER.FIELDS (SUBJECT)]", "BODY[1.2.MIME]", "BODY[TEXT]<2.3>", "ENVELOPE", "BODYSTRUCTURE",
        "FLAGS", "+FLAGS", "-FLAGS.SILENT", "\\Seen", "\\Deleted", "NOT", "OR", "FROM", "SUBJECT", "HEADER", "SINCE",
        "1-Feb-2026", "LARGER", "CHARSET", "UTF-8", "INBOX", "Trash", "\"\"", "%", "NIL", "ALL", "FULL", "RFC822",
        "(MESSAGES UNSEEN)", "\\", "\t", "é",
    ];

    private static string RandomLine(Random rng)
    {
        int n = rng.Next(1, 10);
        var parts = new List<string> { rng.Next(4) == 0 ? Words[rng.Next(Words.Length)] : "t" + rng.Next(100) };
        for (int i = 0; i < n; i++)
        {
            parts.Add(Words[rng.Next(Words.Length)]);
        }

        return string.Join(rng.Next(8) == 0 ? "" : " ", parts);
    }

    [Fact]
    public void Parser_never_throws()
    {
        var rng = new Random(3501);
        for (int i = 0; i < 20000; i++)
        {
            var bytes = Encoding.UTF8.GetBytes(RandomLine(rng) + (rng.Next(3) == 0 ? "" : "\r\n"));
            var outcome = ImapParser.Parse(bytes, 64, 4);
            Assert.True(outcome.Consumed <= bytes.Length);
            if (outcome.Status == ParseStatus.Complete)
            {
                var c = outcome.Command!;
                _ = FetchParser.TryParse(c.Args.Count > 1 ? c.Args[1] : c.Args.FirstOrDefault() ?? ImapToken.Atom("x"), out _, out _);
                try
                {
                    SearchParser.Parse(c.Args, 4);
                }
                catch (SearchParser.SearchSyntaxException)
                {
                    // Expected for most random input; any other exception fails the test.
                }
            }
        }
    }

    [Fact]
    public async Task Session_survives_random_commands()
    {
        await using var f = await ImapFixture.LoggedInAsync(new ImapOptions { MaxBadCommands = 100000 });
        await f.AppendAsync(ImapFixture.Simple);
        await f.AppendAsync(ImapFixture.Multipart, MessageFlags.Seen);
        Assert.StartsWith("s OK", (await f.CommandAsync("s", "SELECT INBOX"))[^1]);
        var rng = new Random(9051);
        for (int i = 0; i < 300; i++)
        {
            string line = RandomLine(rng).Replace("{", "(", StringComparison.Ordinal);
            await f.Client.SendLineAsync(line);
            // A marker command after each random one: everything before its reply belongs to the random one.
            var lines = await f.CommandAsync("zz" + i, "NOOP");
            Assert.DoesNotContain(lines, l => l.Contains("SERVERBUG", StringComparison.Ordinal) || l.StartsWith("* BYE", StringComparison.Ordinal));
            if (!lines[^1].StartsWith("zz" + i + " OK", StringComparison.Ordinal))
            {
                // The random command may have deselected the mailbox or ended in LOGOUT.
                Assert.True(lines[^1].StartsWith("zz" + i + " ", StringComparison.Ordinal), string.Join(" | ", lines));
            }

            if (lines.Any(l => l.StartsWith("* BYE", StringComparison.Ordinal)))
            {
                break;
            }

            if (i % 20 == 0)
            {
                await f.CommandAsync("re" + i, "SELECT INBOX");
            }
        }
    }
}
