using System.Text;
using System.Text.RegularExpressions;
using Postern.Storage;
using Xunit;

namespace Postern.Protocol.Tests.Imap.Conformance;

/// <summary>
/// Runs a conformance script in the style of Dovecot's imaptest scripts (our own format, written
/// from the RFCs): several logged-in sessions on one store, commands sent and the exact responses
/// expected, interleaved line by line.
/// </summary>
/// <remarks>
/// Script lines:
/// <list type="bullet">
/// <item><c>N&gt; text</c> — session N sends the line.</item>
/// <item><c>N&lt; pattern</c> — session N's next line must match the pattern exactly.</item>
/// <item><c>N&lt;&lt; pattern</c> — session N skips lines until one matches (for set-up noise like SELECT).</item>
/// <item><c>@append MAILBOX COUNT [FLAGS…]</c> — the store appends COUNT test messages directly, as a delivery would.</item>
/// <item><c>#</c> starts a comment; blank lines are ignored.</item>
/// </list>
/// In a pattern, <c>{*}</c> matches any text and <c>{$name}</c> matches a token, which must be the
/// same every time the name is used again in the script. Everything else is literal.
/// </remarks>
internal static class TranscriptRunner
{
    /// <summary>No script waits longer than this for a line; a missing response fails, it never hangs.</summary>
    private static readonly TimeSpan LineTimeout = TimeSpan.FromSeconds(20);

    public static async Task RunAsync(string script)
    {
        var sessions = new Dictionary<int, ImapFixture>();
        var captures = new Dictionary<string, string>();
        ImapFixture? first = null;
        var transcript = new StringBuilder();
        int lineNo = 0;
        try
        {
            foreach (string raw in script.Split('\n'))
            {
                lineNo++;
                string line = raw.TrimEnd('\r');
                if (line.Length == 0 || line.StartsWith('#'))
                {
                    continue;
                }

                if (line.StartsWith("@append ", StringComparison.Ordinal))
                {
                    first ??= await SessionAsync(sessions, 1, null);
                    var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    var flags = parts.Skip(3).Aggregate(MessageFlags.None, (f, p) => f | Enum.Parse<MessageFlags>(p.TrimStart('\\'), ignoreCase: true));
                    for (int i = 0; i < int.Parse(parts[2]); i++)
                    {
                        await first.AppendAsync(ImapFixture.Simple.Replace("Hello Alice", $"Message {i + 1}"), flags, mailbox: parts[1]);
                    }

                    continue;
                }

                var m = Regex.Match(line, @"^(\d+)(>|<<|<) ?(.*)$");
                Assert.True(m.Success, $"Script line {lineNo} is not understood: {line}");
                int n = int.Parse(m.Groups[1].Value);
                var session = await SessionAsync(sessions, n, first);
                first ??= session;
                string text = m.Groups[3].Value;
                switch (m.Groups[2].Value)
                {
                    case ">":
                        transcript.AppendLine($"{n}> {text}");
                        await session.Client.SendLineAsync(text);
                        break;
                    case "<":
                    {
                        string got = await ReadAsync(session, n, lineNo, transcript);
                        if (!Matches(text, got, captures))
                        {
                            Assert.Fail($"Script line {lineNo}: session {n} expected\n  {text}\ngot\n  {got}\nTranscript so far:\n{transcript}");
                        }

                        break;
                    }

                    default:
                        while (!Matches(text, await ReadAsync(session, n, lineNo, transcript), captures))
                        {
                        }

                        break;
                }
            }
        }
        finally
        {
            foreach (var s in sessions.Values)
            {
                await s.DisposeAsync();
            }
        }
    }

    private static async Task<string> ReadAsync(ImapFixture session, int n, int lineNo, StringBuilder transcript)
    {
        var read = session.Client.ReadLineAsync();
        if (await Task.WhenAny(read, Task.Delay(LineTimeout)) != read)
        {
            Assert.Fail($"Script line {lineNo}: session {n} sent nothing within {LineTimeout.TotalSeconds} s.\nTranscript so far:\n{transcript}");
        }

        string got = await read ?? throw new InvalidOperationException($"Script line {lineNo}: session {n} was closed.\nTranscript so far:\n{transcript}");
        transcript.AppendLine($"{n}< {got}");
        return got;
    }

    private static async Task<ImapFixture> SessionAsync(Dictionary<int, ImapFixture> sessions, int n, ImapFixture? first)
    {
        if (!sessions.TryGetValue(n, out var s))
        {
            s = first is null ? await ImapFixture.LoggedInAsync() : await first.SecondSessionAsync();
            sessions[n] = s;
        }

        return s;
    }

    /// <summary>Whole-line match of <paramref name="pattern"/> ({*} and {$name} as described above).</summary>
    public static bool Matches(string pattern, string line, Dictionary<string, string> captures)
    {
        var names = new List<string>();
        var regex = new StringBuilder("^");
        foreach (Match part in Regex.Matches(pattern, @"\{\*\}|\{\$(\w+)\}|[^{]+|\{"))
        {
            if (part.Value == "{*}")
            {
                regex.Append(".*");
            }
            else if (part.Groups[1].Success)
            {
                string name = part.Groups[1].Value;
                regex.Append(captures.TryGetValue(name, out var known) ? Regex.Escape(known) : $"(?<{name}>[^ ()\\[\\]]+)");
                names.Add(name);
            }
            else
            {
                regex.Append(Regex.Escape(part.Value));
            }
        }

        var m = Regex.Match(line, regex.Append('$').ToString());
        if (!m.Success)
        {
            return false;
        }

        foreach (string name in names)
        {
            if (m.Groups[name].Success)
            {
                captures.TryAdd(name, m.Groups[name].Value);
            }
        }

        return true;
    }
}
