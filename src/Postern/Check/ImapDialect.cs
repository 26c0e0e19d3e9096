namespace Postern.Check;

/// <summary>IMAP (RFC 9051/3501) with STARTTLS (RFC 2595).</summary>
public sealed class ImapDialect : ProtocolDialect
{
    public override async Task<(bool Ready, string? Line)> ReadGreetingAsync(ProbeChannel ch, TimeSpan timeout, CancellationToken ct)
    {
        string? first = await ch.ReadLineAsync(ct, timeout);
        return (first is not null && first.StartsWith("* OK", StringComparison.OrdinalIgnoreCase), first);
    }

    public override async Task<IReadOnlyList<string>> CapabilitiesAsync(ProbeChannel ch, CancellationToken ct)
    {
        var lines = await CommandAsync(ch, "C1", "CAPABILITY", ct);
        return Atoms(lines);
    }

    public override bool OffersStartTls(IReadOnlyList<string> caps) => caps.Contains("STARTTLS");

    // RFC 9051 section 6.2.3 / RFC 2595 section 3.2: LOGINDISABLED says LOGIN is refused; a
    // plaintext-password SASL mechanism advertised before TLS is the same leak by another door.
    public override bool PasswordBeforeTls(IReadOnlyList<string> caps) =>
        !caps.Contains("LOGINDISABLED") || caps.Contains("AUTH=PLAIN") || caps.Contains("AUTH=LOGIN");

    public override async Task<bool> StartTlsAsync(ProbeChannel ch, bool inject, CancellationToken ct)
    {
        await ch.WriteAsync(inject ? "C2 STARTTLS\r\nC3 NOOP\r\n" : "C2 STARTTLS\r\n", ct);
        var lines = await ReadUntilAsync(ch, l => l.StartsWith("C2 ", StringComparison.Ordinal), ct);
        return lines[^1].StartsWith("C2 OK", StringComparison.OrdinalIgnoreCase);
    }

    public override async Task<TlsSessionFacts> AfterStartTlsAsync(ProbeChannel ch, CancellationToken ct)
    {
        // Tagged replies make this exact: any "C3 " line is the injected NOOP being answered.
        var lines = await CommandAsync(ch, "C4", "CAPABILITY", ct);
        bool injected = lines.Any(l => l.StartsWith("C3 ", StringComparison.Ordinal));
        await LogoutAsync(ch, "C5", ct);
        return new TlsSessionFacts(injected, !Atoms(lines).Contains("LOGINDISABLED"));
    }

    public override async Task<bool?> AuthOfferedAsync(ProbeChannel ch, CancellationToken ct)
    {
        var caps = await CapabilitiesAsync(ch, ct);
        await LogoutAsync(ch, "C5", ct);
        return !caps.Contains("LOGINDISABLED");
    }

    public override Task QuitAsync(ProbeChannel ch, CancellationToken ct) => LogoutAsync(ch, "C9", ct);

    private static async Task LogoutAsync(ProbeChannel ch, string tag, CancellationToken ct)
    {
        await ch.WriteAsync(tag + " LOGOUT\r\n", ct);
        await ReadToEndAsync(ch, ct);
    }

    private static async Task<List<string>> CommandAsync(ProbeChannel ch, string tag, string command, CancellationToken ct)
    {
        await ch.WriteAsync($"{tag} {command}\r\n", ct);
        return await ReadUntilAsync(ch, l => l.StartsWith(tag + " ", StringComparison.Ordinal), ct);
    }

    /// <summary>The atoms of "* CAPABILITY ..." lines, upper case.</summary>
    public static List<string> Atoms(IEnumerable<string> lines) =>
        [.. lines.Where(l => l.StartsWith("* CAPABILITY ", StringComparison.OrdinalIgnoreCase))
            .SelectMany(l => l["* CAPABILITY ".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(a => a.ToUpperInvariant())];
}
