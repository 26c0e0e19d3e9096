namespace Postern;

/// <summary>
/// The one table of log event ids: each assembly under src/ owns a range, and every
/// <c>[LoggerMessage]</c> id it declares lies inside it, so a number in a log line
/// (<c>warn: Postern.Net.Listener[110]</c>) names exactly one event of exactly one subsystem.
/// </summary>
/// <remarks>
/// <para>
/// This file is compiled into every project under src/ (src/Directory.Build.props links it): no
/// project is referenced by all the others (Postern.Net and Postern.Storage know nothing of each
/// other), and one file linked into each keeps one table without making one of them depend on
/// the other or adding a project for a table. Each copy is internal, so the copies never meet.
/// </para>
/// <para>
/// EventIdTests (tests/Postern.Integration.Tests/Diagnostics) reflects over every src assembly and
/// fails when two events share an id (naming both), when an id lies outside its assembly's range,
/// and when a src assembly has no range here.
/// </para>
/// <para>
/// Picking the next id: within a range ids come in blocks of ten, one block per area (the
/// <see cref="EventIdRange.Blocks"/> column). Take the next unused id of your area's block; when the
/// block is full or the area is new, open the next free block and write it into the column.
/// Never renumber or reuse a shipped id: operators filter on them, and the README documents
/// 110–116. Two branches that took the same next id meet at merge, where EventIdTests names both;
/// the later one moves to the next free id. A new assembly takes the next free range below.
/// </para>
/// </remarks>
internal static class EventIdRanges
{
    public static readonly EventIdRange[] All =
    [
        new("Postern.Net", 100, 199,
            "100-109 listener and connection; 110-119 client mistakes (110-116 are in the README, keep them); 120-129 TLS certificates"),
        new("Postern", 200, 299,
            "200-209 serve: hosting and start-up"),
        new("Postern.Storage", 400, 499,
            "400-409 accounts: SCRAM keys written at a password login"),
        new("Postern.Storage.Sqlite", 500, 599,
            "500-509 store open, schema, shutdown, change watcher; 520-529 body files; 530-539 quarantine (the store README lists them)"),
        new("Postern.Smtp", 2000, 2999,
            "2000-2019 session"),
        new("Postern.Imap", 3000, 3999,
            "3000-3019 session and commands; 3090-3099 store cache"),
        new("Postern.Web", 4000, 4999,
            "4000-4009 web endpoints and requests"),
        new("Postern.Pop3", 5000, 5999,
            "5000-5019 session"),
    ];
}

/// <summary>The event ids one assembly may use, and which blocks of them its areas have taken.</summary>
internal sealed record EventIdRange(string Assembly, int First, int Last, string Blocks)
{
    public bool Contains(int id) => id >= First && id <= Last;

    public override string ToString() => $"{Assembly}'s range {First}-{Last}";
}
