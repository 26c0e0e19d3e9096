using System.Diagnostics;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;

namespace Postern.Bench;

/// <summary>The IMAP workloads; the same client code runs against each server.</summary>
public sealed class Workloads(int warmup, int reps)
{
    /// <summary>One server's side of an interleaved measurement.</summary>
    private sealed class Side(Server server)
    {
        public Server Server { get; } = server;
        public ImapClient? Client { get; set; }
        public List<double> Times { get; } = [];
        public string Detail { get; set; } = "";
        public string? Error { get; set; }
        public double CpuMs { get; set; }

        public Measure ToMeasure()
        {
            if (Error is not null || Times.Count == 0)
            {
                return new Measure(null, Detail, Error ?? "no timed run");
            }

            Times.Sort();
            return new Measure(Times[Times.Count / 2], $"{Detail}; min {Times[0]:F0} max {Times[^1]:F0} ms; client CPU {CpuMs / Times.Count:F0} ms/op");
        }
    }

    /// <summary>
    /// Runs <paramref name="op"/> on both servers, one connection each with INBOX selected, interleaved
    /// (warm-ups, then rep 1 on A then B, rep 2 on B then A, ...) so background load on this shared
    /// machine hits both sides alike. Value = median ms.
    /// </summary>
    public async Task<(Measure A, Measure B)> PairAsync(Server a, Server b, Func<Server, string> user, int expected, Func<IMailFolder, Task<string>> op)
    {
        var sides = new[] { new Side(a), new Side(b) };
        foreach (var side in sides)
        {
            try
            {
                side.Client = await side.Server.LoginAsync(user(side.Server), CancellationToken.None);
                await side.Client.Inbox.OpenAsync(FolderAccess.ReadOnly);
                if (side.Client.Inbox.Count != expected)
                {
                    side.Error = $"INBOX has {side.Client.Inbox.Count} messages, expected {expected}";
                }
            }
            catch (Exception e)
            {
                side.Error = Measure.Fail(e).Error;
            }
        }

        for (int round = -warmup; round < reps; round++)
        {
            for (int k = 0; k < 2; k++)
            {
                var side = sides[(((round + k) % 2) + 2) % 2];
                if (side.Error is not null || side.Client is null)
                {
                    continue;
                }

                var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
                var sw = Stopwatch.StartNew();
                try
                {
                    side.Detail = await op(side.Client.Inbox);
                }
                catch (Exception e)
                {
                    side.Error = Measure.Fail(e).Error;
                    continue;
                }

                if (round >= 0)
                {
                    side.Times.Add(sw.Elapsed.TotalMilliseconds);
                    side.CpuMs += (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMilliseconds;
                }
            }
        }

        foreach (var side in sides)
        {
            if (side.Client is null)
            {
                continue;
            }

            try
            {
                await side.Client.DisconnectAsync(true);
            }
            catch (Exception)
            {
                // The measure is already taken; a failed LOGOUT does not change it.
            }

            side.Client.Dispose();
        }

        return (sides[0].ToMeasure(), sides[1].ToMeasure());
    }

    /// <summary>(1) TLS connect + login + logout with <paramref name="concurrency"/> clients; 4 alternating slices per server.</summary>
    public async Task<(Measure A, Measure B)> LoginRatePairAsync(Server a, Server b, int seconds, int concurrency)
    {
        async Task<(int Ok, int Failed, string? FirstError)> Loop(Server s, TimeSpan duration)
        {
            int ok = 0, failed = 0;
            string? first = null;
            var end = DateTime.UtcNow + duration;
            var tasks = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
            {
                // Bounded in time and in count.
                for (int n = 0; n < 1_000_000 && DateTime.UtcNow < end && failed <= 50; n++)
                {
                    try
                    {
                        using var c = await s.LoginAsync(s.LoginUser, CancellationToken.None);
                        await c.DisconnectAsync(true);
                        Interlocked.Increment(ref ok);
                    }
                    catch (Exception e)
                    {
                        Interlocked.Increment(ref failed);
                        Interlocked.CompareExchange(ref first, $"{e.GetType().Name}: {Measure.Oneline(e.Message)}", null);
                    }
                }
            })).ToArray();
            await Task.WhenAll(tasks);
            return (ok, failed, first);
        }

        var servers = new[] { a, b };
        var ok = new int[2];
        var failed = new int[2];
        var errors = new string?[2];
        var elapsed = new double[2];
        var cpu = new double[2];
        await Loop(a, TimeSpan.FromSeconds(2));
        await Loop(b, TimeSpan.FromSeconds(2));
        const int Slices = 4;
        for (int slice = 0; slice < Slices; slice++)
        {
            for (int k = 0; k < 2; k++)
            {
                int i = (slice + k) % 2;
                var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
                var sw = Stopwatch.StartNew();
                var (o, f, e) = await Loop(servers[i], TimeSpan.FromSeconds(seconds / (double)Slices));
                elapsed[i] += sw.Elapsed.TotalSeconds;
                cpu[i] += (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMilliseconds;
                ok[i] += o;
                failed[i] += f;
                errors[i] ??= e;
            }
        }

        Measure Result(int i)
        {
            string detail = $"{ok[i]} logins in {elapsed[i]:F1} s ({Slices} slices alternating with the other server); client CPU {cpu[i] / Math.Max(ok[i], 1):F1} ms/login = {cpu[i] / 10 / elapsed[i]:F0}% of one core";
            if (failed[i] > 0)
            {
                detail += $"; {failed[i]} failed, first: {errors[i]}";
            }

            return ok[i] == 0 ? new Measure(null, detail, errors[i] ?? "no login succeeded") : new Measure(ok[i] / elapsed[i], detail);
        }

        return (Result(0), Result(1));
    }

    /// <summary>(2) SELECT INBOX (read-write), repeated on one connection.</summary>
    public static Func<IMailFolder, Task<string>> Select(int expected) => async inbox =>
    {
        await inbox.OpenAsync(FolderAccess.ReadWrite);
        return inbox.Count == expected ? $"{inbox.Count} EXISTS" : throw new InvalidDataException($"SELECT said {inbox.Count} EXISTS, expected {expected}");
    };

    /// <summary>(3) UID FETCH 1:* (FLAGS).</summary>
    public static Func<IMailFolder, Task<string>> FetchFlags(int expected) => async inbox =>
    {
        var list = await inbox.FetchAsync(UniqueIdRange.All, MessageSummaryItems.Flags);
        return Check(list.Count, expected, "messages");
    };

    /// <summary>(4) FETCH 1:* (ENVELOPE BODYSTRUCTURE).</summary>
    public static Func<IMailFolder, Task<string>> FetchEnvelope(int expected) => async inbox =>
    {
        var list = await inbox.FetchAsync(0, -1, MessageSummaryItems.Envelope | MessageSummaryItems.BodyStructure);
        int withBoth = list.Count(m => m.Envelope is not null && m.Body is not null);
        return Check(withBoth, expected, "envelopes+bodystructures");
    };

    /// <summary>(5) UID FETCH 1:* (BODY.PEEK[]) — MailKit's GetStreams sends one command for the set.</summary>
    public static Func<IMailFolder, Task<string>> FetchBodies(int expected) => async inbox =>
    {
        long bytes = 0;
        int count = 0;
        await ((ImapFolder)inbox).GetStreamsAsync(UniqueIdRange.All, async (folder, index, uid, stream, ct) =>
        {
            var buffer = new byte[81920];
            int n;
            while ((n = await stream.ReadAsync(buffer, ct)) > 0)
            {
                bytes += n;
            }

            count++;
        });
        return Check(count, expected, "bodies") + $", {bytes / 1048576.0:F1} MiB";
    };

    /// <summary>(6) UID SEARCH SUBJECT word / UID SEARCH TEXT word; the hit count is checked against the corpus.</summary>
    public static Func<IMailFolder, Task<string>> Search(int expected, bool text)
    {
        int hits = Enumerable.Range(0, expected).Count(i => text ? Corpus.HasBodyWord(i) : Corpus.HasSubjectWord(i));
        var query = text ? SearchQuery.MessageContains(Corpus.BodyWord) : SearchQuery.SubjectContains(Corpus.SubjectWord);
        return async inbox =>
        {
            var uids = await inbox.SearchAsync(query);
            return Check(uids.Count, hits, "hits");
        };
    }

    private static string Check(int got, int expected, string what) =>
        got == expected ? $"{got} {what}" : throw new InvalidDataException($"got {got} {what}, expected {expected}");

    /// <summary>
    /// (7) Memory per idle connection: <paramref name="count"/> connections logged in (spread over the idle users),
    /// INBOX selected and in IDLE when the server offers it; server RSS/PSS from /proc before and after.
    /// </summary>
    public async Task<(Measure Rss, Measure Pss, string Idle)> IdleMemoryAsync(Server s, int count, TimeSpan limit, bool useIdle)
    {
        var clients = new System.Collections.Concurrent.ConcurrentBag<ImapClient>();
        using var done = new CancellationTokenSource();
        var idles = new System.Collections.Concurrent.ConcurrentBag<Task>();
        string idleNote = "";
        try
        {
            // Probe: does the server do IDLE? Record its exact answer if not.
            idleNote = await ProbeIdleAsync(s);
            bool canIdle = useIdle && idleNote.StartsWith("IDLE ok", StringComparison.Ordinal);
            if (useIdle && !canIdle)
            {
                return (new Measure(null, "", idleNote), new Measure(null, "", idleNote), idleNote);
            }

            // Let processes and sockets of a previous pass go away first.
            await Task.Delay(3000);
            var before = ProcMemory.Sum(s.Pids());
            var end = DateTime.UtcNow + limit;
            int next = -1, failed = 0;
            string? firstError = null;
            var openers = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < count && DateTime.UtcNow < end && failed < 20)
                {
                    try
                    {
                        var c = await s.LoginAsync(s.IdleUsers[i % s.IdleUsers.Length], CancellationToken.None);
                        clients.Add(c);
                        await c.Inbox.OpenAsync(FolderAccess.ReadOnly);
                        if (canIdle)
                        {
                            idles.Add(c.IdleAsync(done.Token));
                        }
                    }
                    catch (Exception e)
                    {
                        Interlocked.Increment(ref failed);
                        Interlocked.CompareExchange(ref firstError, $"{e.GetType().Name}: {Measure.Oneline(e.Message)}", null);
                    }
                }
            })).ToArray();
            await Task.WhenAll(openers);
            await Task.Delay(3000);
            var after = ProcMemory.Sum(s.Pids());
            int n = clients.Count(c => c.IsAuthenticated);
            string detail = $"{n} connections{(canIdle ? " in IDLE" : " selected, NOT in IDLE")}; {before.Processes}->{after.Processes} processes; total RSS {before.RssKb / 1024.0:F0}->{after.RssKb / 1024.0:F0} MiB, PSS {before.PssKb / 1024.0:F0}->{after.PssKb / 1024.0:F0} MiB";
            if (failed > 0)
            {
                detail += $"; {failed} failed, first: {firstError}";
            }

            if (n == 0)
            {
                return (new Measure(null, detail, firstError ?? "no connection"), new Measure(null, detail, firstError ?? "no connection"), idleNote);
            }

            return (new Measure((after.RssKb - before.RssKb) / (double)n, detail), new Measure((after.PssKb - before.PssKb) / (double)n, detail), idleNote);
        }
        catch (Exception e)
        {
            return (Measure.Fail(e), Measure.Fail(e), idleNote);
        }
        finally
        {
            done.Cancel();
            try
            {
                await Task.WhenAll(idles).WaitAsync(TimeSpan.FromSeconds(30));
            }
            catch (Exception)
            {
                // Ending IDLE on thousands of sockets: failures do not change the measure.
            }

            foreach (var c in clients)
            {
                c.Dispose();
            }
        }
    }

    /// <summary>Raw IDLE probe so a refusal is recorded with the server's own words.</summary>
    private static async Task<string> ProbeIdleAsync(Server s)
    {
        using var tcp = new TcpClient(new System.Net.IPEndPoint(Server.ClientAddress, 0));
        await tcp.ConnectAsync(Server.Host, s.Port).WaitAsync(TimeSpan.FromSeconds(10));
        using var tls = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "mail.test" });
        var reader = new StreamReader(tls, Encoding.ASCII);
        async Task<string> Until(string tag)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            string? line;
            while ((line = await reader.ReadLineAsync(cts.Token)) is not null)
            {
                if (line.StartsWith(tag, StringComparison.Ordinal))
                {
                    return line;
                }
            }

            return "(connection closed)";
        }

        async Task Send(string line)
        {
            await tls.WriteAsync(Encoding.ASCII.GetBytes(line + "\r\n"));
            await tls.FlushAsync();
        }

        await reader.ReadLineAsync();
        await Send($"a LOGIN \"{s.IdleUsers[0]}\" \"{s.Password}\"");
        await Until("a ");
        await Send("b SELECT INBOX");
        await Until("b ");
        await Send("c IDLE");
        string answer = await Until(string.Empty);
        if (answer.StartsWith('+'))
        {
            await Send("DONE");
            await Until("c ");
            return "IDLE ok";
        }

        return $"IDLE refused: {Measure.Oneline(answer)}";
    }
}
