namespace Postern.Check;

/// <summary>SMTP (RFC 5321) with STARTTLS (RFC 3207).</summary>
public sealed class SmtpDialect : ProtocolDialect
{
    private const string Ehlo = "EHLO check.postern.invalid\r\n";

    public override async Task<(bool Ready, string? Line)> ReadGreetingAsync(ProbeChannel ch, TimeSpan timeout, CancellationToken ct)
    {
        string? first = await ch.ReadLineAsync(ct, timeout);
        if (first is null)
        {
            return (false, null);
        }

        if (!first.StartsWith("220", StringComparison.Ordinal))
        {
            return (false, first);
        }

        // A multi-line greeting ("220-") continues until "220 ".
        string line = first;
        for (int i = 0; i < 50 && line.Length > 3 && line[3] == '-'; i++)
        {
            line = await ch.ExpectLineAsync(ct);
        }

        return (true, first);
    }

    public override async Task<IReadOnlyList<string>> CapabilitiesAsync(ProbeChannel ch, CancellationToken ct)
    {
        await ch.WriteAsync(Ehlo, ct);
        var (code, lines) = await ReadReplyAsync(ch, ct);
        return code == 250 ? Keywords(lines) : [];
    }

    public override bool OffersStartTls(IReadOnlyList<string> caps) => caps.Contains("STARTTLS");

    // RFC 4954 section 4: AUTH is the one way a client logs in; advertised before TLS means a
    // client set up without encryption would send its password in the clear.
    public override bool PasswordBeforeTls(IReadOnlyList<string> caps) => caps.Any(c => c == "AUTH" || c.StartsWith("AUTH ", StringComparison.Ordinal) || c.StartsWith("AUTH=", StringComparison.Ordinal));

    public override async Task<bool> StartTlsAsync(ProbeChannel ch, bool inject, CancellationToken ct)
    {
        await ch.WriteAsync(inject ? "STARTTLS\r\nNOOP\r\n" : "STARTTLS\r\n", ct);
        var (code, _) = await ReadReplyAsync(ch, ct);
        return code == 220;
    }

    public override async Task<TlsSessionFacts> AfterStartTlsAsync(ProbeChannel ch, CancellationToken ct)
    {
        // Replies come in command order. Without injection: EHLO's, then QUIT's 221. With it:
        // NOOP's 250 first, then EHLO's, then 221 — so counting replies before 221 is exact.
        await ch.WriteAsync(Ehlo, ct);
        var replies = new List<(int Code, List<string> Lines)> { await ReadReplyAsync(ch, ct) };
        await ch.WriteAsync("QUIT\r\n", ct);
        try
        {
            for (int i = 0; i < 5; i++)
            {
                var r = await ReadReplyAsync(ch, ct);
                if (r.Code == 221)
                {
                    break;
                }

                replies.Add(r);
            }
        }
        catch (ProbeException)
        {
            // Closed without 221: the replies so far still tell.
        }

        var ehlo = replies[^1];
        bool? auth = ehlo.Code == 250 ? PasswordBeforeTls(Keywords(ehlo.Lines)) : null;
        return new TlsSessionFacts(replies.Count >= 2, auth);
    }

    public override async Task<bool?> AuthOfferedAsync(ProbeChannel ch, CancellationToken ct)
    {
        var caps = await CapabilitiesAsync(ch, ct);
        await QuitAsync(ch, ct);
        return PasswordBeforeTls(caps);
    }

    public override async Task QuitAsync(ProbeChannel ch, CancellationToken ct)
    {
        await ch.WriteAsync("QUIT\r\n", ct);
        await ReadReplyAsync(ch, ct);
    }

    /// <summary>One reply: lines until "NNN " (RFC 5321 section 4.2.1).</summary>
    public static async Task<(int Code, List<string> Lines)> ReadReplyAsync(ProbeChannel ch, CancellationToken ct)
    {
        var lines = await ReadUntilAsync(ch, l => l.Length < 4 || l[3] != '-', ct);
        string last = lines[^1];
        if (last.Length < 3 || !int.TryParse(last.AsSpan(0, 3), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int code))
        {
            throw new ProbeException("not an SMTP reply: " + ProbeChannel.Printable(last, 60));
        }

        return (code, lines);
    }

    /// <summary>EHLO keywords with their parameters, upper case (the first line is the greeting).</summary>
    public static List<string> Keywords(List<string> lines) =>
        [.. lines.Skip(1).Where(l => l.Length > 4).Select(l => l[4..].Trim().ToUpperInvariant())];
}
