using System.Globalization;
using System.Text;
using MailKit;
using Postern.Bench;

// Postern.Bench populate ... | run ...   (see bench/README.md; bench/run.sh drives it)
var opts = new Dictionary<string, string>(StringComparer.Ordinal);
for (int k = 1; k + 1 < args.Length; k += 2)
{
    opts[args[k].TrimStart('-')] = args[k + 1];
}

string Opt(string name, string? fallback = null) =>
    opts.TryGetValue(name, out var v) ? v : fallback ?? throw new ArgumentException($"missing --{name}");
int Int(string name, int fallback) => int.Parse(Opt(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

const string PosternPassword = "pass-long-enough";
string[] posternIdle = [.. Enumerable.Range(1, 20).Select(i => $"idle{i}@mail.test")];
string[] dovecotIdle = [.. Enumerable.Range(71, 20).Select(i => $"user{i}@mail.test")];

switch (args.FirstOrDefault())
{
    case "users":
        // The Postern users run.sh creates, one per line.
        foreach (var u in new[] { "bench-small@mail.test", "bench-big@mail.test", "bench-login@mail.test" }.Concat(posternIdle))
        {
            Console.WriteLine(u);
        }

        return 0;

    case "populate-postern":
        await Populate.PosternAsync(Opt("data"), Opt("user"), Int("count", 10_000), Int("parallel", 4));
        return 0;

    case "populate-maildir":
        Populate.Maildir(Opt("maildir"), Opt("user"), Int("count", 10_000));
        return 0;

    case "run":
        break;

    default:
        Console.Error.WriteLine("usage: Postern.Bench users | populate-postern --data D --user U --count N | populate-maildir --maildir M --user U --count N | run --postern-pid P --dovecot-pid P ...");
        return 2;
}

int small = Int("small", 10_000), big = Int("big", 0), idle = Int("idle", 2_000);
int postPid = Int("postern-pid", 0), dovePid = Int("dovecot-pid", 0);
var postern = new Server("Postern", Int("postern-port", 10993), "bench-small@mail.test", "bench-big@mail.test", "bench-login@mail.test", posternIdle, PosternPassword, () => [postPid]);
var dovecot = new Server("Dovecot", Int("dovecot-port", 993), "user91@mail.test", "user92@mail.test", "user93@mail.test", dovecotIdle, "pass", () => ProcMemory.Tree(dovePid));
var w = new Workloads(Int("warmup", 1), Int("reps", 5));
string only = Opt("only", "");
var rows = new List<Row>();

async Task Both(string id, string name, string unit, bool higher, Func<Task<(Measure P, Measure D)>> run, string notes = "")
{
    if (only.Length > 0 && !only.Split(',').Contains(id))
    {
        return;
    }

    Console.WriteLine($"[bench] {name} ...");
    var (p, d) = await run();
    var row = new Row(name, unit, higher, p, d, notes);
    Console.WriteLine($"[bench]   Postern {p.Value?.ToString("F1") ?? "FAIL"} ({p.Error ?? p.Detail})");
    Console.WriteLine($"[bench]   Dovecot {d.Value?.ToString("F1") ?? "FAIL"} ({d.Error ?? d.Detail})  ratio {row.Ratio()}");
    rows.Add(row);
}

Task<(Measure, Measure)> Pair(bool useBig, int expected, Func<IMailFolder, Task<string>> op) =>
    w.PairAsync(postern, dovecot, s => useBig ? s.BigUser : s.SmallUser, expected, op);

int loginSeconds = Int("login-seconds", 10);
await Both("1", $"TLS connect+login+logout, 4 clients, {loginSeconds} s", "logins/s", true, () => w.LoginRatePairAsync(postern, dovecot, loginSeconds, 4));
await Both("2", $"SELECT INBOX, {small:N0} msgs", "ms", false, () => Pair(false, small, Workloads.Select(small)));
if (big > 0)
{
    await Both("2", $"SELECT INBOX, {big:N0} msgs", "ms", false, () => Pair(true, big, Workloads.Select(big)));
}

await Both("3", $"UID FETCH 1:* (FLAGS), {small:N0} msgs", "ms", false, () => Pair(false, small, Workloads.FetchFlags(small)));
if (big > 0)
{
    await Both("3", $"UID FETCH 1:* (FLAGS), {big:N0} msgs", "ms", false, () => Pair(true, big, Workloads.FetchFlags(big)));
}

await Both("4", $"FETCH 1:* (ENVELOPE BODYSTRUCTURE), {small:N0} msgs", "ms", false, () => Pair(false, small, Workloads.FetchEnvelope(small)));
await Both("5", $"UID FETCH 1:* (BODY.PEEK[]), {small:N0} msgs", "ms", false, () => Pair(false, small, Workloads.FetchBodies(small)));
await Both("6", $"UID SEARCH SUBJECT {Corpus.SubjectWord}, {small:N0} msgs", "ms", false, () => Pair(false, small, Workloads.Search(small, text: false)));
await Both("6", $"UID SEARCH TEXT {Corpus.BodyWord}, {small:N0} msgs", "ms", false, () => Pair(false, small, Workloads.Search(small, text: true)));

if (idle > 0 && (only.Length == 0 || only.Split(',').Contains("7")))
{
    Console.WriteLine($"[bench] {idle} idle connections ...");
    var limit = TimeSpan.FromSeconds(Int("idle-seconds", 180));
    // IDLE itself first (a raw probe records the server's own answer), then memory with the
    // connections in IDLE, then memory with them selected but quiet (comparable even without IDLE).
    foreach (bool useIdle in new[] { true, false })
    {
        var (pr, pp, pn) = await w.IdleMemoryAsync(postern, idle, limit, useIdle);
        var (dr, dp, dn) = await w.IdleMemoryAsync(dovecot, idle, limit, useIdle);
        Console.WriteLine($"[bench]   Postern {pn}: {pr.Error ?? pr.Detail}");
        Console.WriteLine($"[bench]   Dovecot {dn}: {dr.Error ?? dr.Detail}");
        string mode = useIdle ? "logged in, INBOX selected, in IDLE" : "logged in, INBOX selected, quiet (no IDLE)";
        if (useIdle)
        {
            static Measure Probe(string note) => note.StartsWith("IDLE ok", StringComparison.Ordinal) ? new Measure(1, note) : new Measure(null, "", note);
            rows.Add(new Row("IDLE command (RFC 2177) accepted", "yes=1", true, Probe(pn), Probe(dn), "raw probe: LOGIN, SELECT INBOX, IDLE"));
        }

        rows.Add(new Row($"Server memory per connection, {idle:N0} connections, {mode} (RSS delta)", "KB/conn", false, pr, dr, "RSS sums count shared pages in every Dovecot process"));
        rows.Add(new Row($"Server memory per connection, {idle:N0} connections, {mode} (PSS delta)", "KB/conn", false, pp, dp, "PSS shares pages out: the fairer figure for Dovecot"));
    }
}

var md = new StringBuilder();
md.AppendLine("# Postern vs Dovecot: IMAP benchmark results").AppendLine();
md.AppendLine($"Measured {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on {Environment.ProcessorCount} cores ({Environment.MachineName}), same run, same client code (MailKit over IMAPS), clients bound to 127.0.0.2.").AppendLine();
md.AppendLine("Command:").AppendLine().AppendLine("```").AppendLine(Opt("command", "(not given)")).AppendLine("```").AppendLine();
md.AppendLine($"Times are the median of {Int("reps", 5)} timed runs after {Int("warmup", 1)} warm-up run(s) on one connection per server, the two servers interleaved run by run (A,B then B,A) so background load hits both alike; the login rate alternates 4 slices per server. Idle-connection memory runs one server at a time. **Ratio = how many times better Postern is** (Postern/Dovecot for rates, Dovecot/Postern for times and memory): >1 Postern better, <1 Dovecot better. FAIL = the server failed the workload; the error text is shown.").AppendLine();
md.AppendLine("| workload | unit | Postern | Dovecot | ratio (>1 = Postern better) | notes |");
md.AppendLine("|---|---|---|---|---|---|");
string Cell(Measure m) => m.Value is double v ? v.ToString(v >= 100 ? "F0" : "F1", CultureInfo.InvariantCulture) : $"FAIL: {m.Error}";
foreach (var r in rows)
{
    md.AppendLine($"| {r.Workload} | {r.Unit} | {Cell(r.Postern)} | {Cell(r.Dovecot)} | {r.Ratio()} | {r.Notes} |");
}

md.AppendLine().AppendLine("## Details").AppendLine();
foreach (var r in rows)
{
    md.AppendLine($"- **{r.Workload}** — Postern: {(r.Postern.Error is null ? r.Postern.Detail : "FAIL " + r.Postern.Error + " " + r.Postern.Detail)}; Dovecot: {(r.Dovecot.Error is null ? r.Dovecot.Detail : "FAIL " + r.Dovecot.Error + " " + r.Dovecot.Detail)}");
}

string extra = Opt("notes-file", "");
if (extra.Length > 0 && File.Exists(extra))
{
    md.AppendLine().Append(File.ReadAllText(extra));
}

File.WriteAllText(Opt("out", "RESULTS.md"), md.ToString());
Console.WriteLine($"[bench] wrote {Opt("out", "RESULTS.md")}");
return rows.Any(r => r.Postern.Error is not null || r.Dovecot.Error is not null) ? 1 : 0;
