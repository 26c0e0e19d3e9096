namespace Postern.Check;

/// <summary>POP3 (RFC 1939) with CAPA (RFC 2449), STLS (RFC 2595) and AUTH (RFC 5034).</summary>
public sealed class Pop3Dialect : ProtocolDialect
{
    public override async Task<(bool Ready, string? Line)> ReadGreetingAsync(ProbeChannel ch, TimeSpan timeout, CancellationToken ct)
    {
        string? first = await ch.ReadLineAsync(ct, timeout);
        return (first is not null && first.StartsWith("+OK", StringComparison.OrdinalIgnoreCase), first);
    }

    public override async Task<IReadOnlyList<string>> CapabilitiesAsync(ProbeChannel ch, CancellationToken ct)
    {
        await ch.WriteAsync("CAPA\r\n", ct);
        string first = await ch.ExpectLineAsync(ct);
        if (!first.StartsWith("+OK", StringComparison.OrdinalIgnoreCase))
        {
            return [];
        }

        var lines = await ReadUntilAsync(ch, l => l == ".", ct);
        return [.. lines.Take(lines.Count - 1).Select(l => l.Trim().ToUpperInvariant())];
    }

    public override bool OffersStartTls(IReadOnlyList<string> caps) => caps.Contains("STLS");

    public override bool PasswordBeforeTls(IReadOnlyList<string> caps) => caps.Any(IsLogin);

    public override async Task<bool> StartTlsAsync(ProbeChannel ch, bool inject, CancellationToken ct)
    {
        await ch.WriteAsync(inject ? "STLS\r\nNOOP\r\n" : "STLS\r\n", ct);
        return (await ch.ExpectLineAsync(ct)).StartsWith("+OK", StringComparison.OrdinalIgnoreCase);
    }

    public override async Task<TlsSessionFacts> AfterStartTlsAsync(ProbeChannel ch, CancellationToken ct)
    {
        // POP3 replies carry no tag. Send CAPA, read one line, then QUIT and read to the close:
        // - no injection, CAPA known:   "+OK", capability lines, ".", "+OK bye"
        // - no injection, CAPA unknown: "-ERR", "+OK bye"
        // - injected NOOP answered:     an extra status line first ("-ERR"/"+OK"), so either a
        //   "-ERR" is followed by more than the QUIT reply, or a "+OK" by another status line.
        await ch.WriteAsync("CAPA\r\n", ct);
        string first = await ch.ExpectLineAsync(ct);
        await ch.WriteAsync("QUIT\r\n", ct);
        var rest = await ReadToEndAsync(ch, ct);
        static bool Status(string l) => l.StartsWith("+OK", StringComparison.OrdinalIgnoreCase) || l.StartsWith("-ERR", StringComparison.OrdinalIgnoreCase);
        bool injected = first.StartsWith("-ERR", StringComparison.OrdinalIgnoreCase)
            ? rest.Count > 1
            : rest.Count > 0 && Status(rest[0]);
        bool? auth = rest.Contains(".") ? rest.Select(l => l.Trim().ToUpperInvariant()).Any(IsLogin) : null;
        return new TlsSessionFacts(injected, auth);
    }

    public override async Task<bool?> AuthOfferedAsync(ProbeChannel ch, CancellationToken ct)
    {
        var caps = await CapabilitiesAsync(ch, ct);
        await QuitAsync(ch, ct);
        return caps.Count == 0 ? null : caps.Any(IsLogin);
    }

    public override async Task QuitAsync(ProbeChannel ch, CancellationToken ct)
    {
        await ch.WriteAsync("QUIT\r\n", ct);
        await ch.ReadLineAsync(ct);
    }

    /// <summary>
    /// Asks for AUTH PLAIN (a "+" continuation means the server would take the credentials;
    /// "*" cancels, RFC 5034 section 4) and sends USER with an invalid name (+OK means PASS would
    /// come next in the clear). No password is ever sent.
    /// </summary>
    public override async Task<bool?> PlaintextLoginProbeAsync(ProbeChannel ch, CancellationToken ct)
    {
        await ch.WriteAsync("AUTH PLAIN\r\n", ct);
        string auth = await ch.ExpectLineAsync(ct);
        bool authAccepted = auth.StartsWith('+') && !auth.StartsWith("+OK", StringComparison.OrdinalIgnoreCase);
        if (authAccepted)
        {
            await ch.WriteAsync("*\r\n", ct);
            await ch.ExpectLineAsync(ct);
        }

        await ch.WriteAsync($"USER {InvalidUser}\r\n", ct);
        bool userAccepted = (await ch.ExpectLineAsync(ct)).StartsWith("+OK", StringComparison.OrdinalIgnoreCase);
        await QuitAsync(ch, ct);
        return authAccepted || userAccepted;
    }

    private static bool IsLogin(string cap) => cap == "USER" || (cap.StartsWith("SASL", StringComparison.Ordinal) && cap.Length > 4);
}
