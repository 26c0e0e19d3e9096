using System.Net;
using MailKit.Net.Imap;
using MailKit.Security;

namespace Postern.Bench;

/// <summary>One IMAPS target and how to measure its processes' memory.</summary>
public sealed record Server(string Name, int Port, string SmallUser, string BigUser, string LoginUser, string[] IdleUsers, string Password, Func<int[]> Pids)
{
    public const string Host = "127.0.0.1";

    /// <summary>Load clients come from 127.0.0.2: Dovecot treats 127.0.0.1 to 127.0.0.1 as secure.</summary>
    public static readonly IPAddress ClientAddress = IPAddress.Parse("127.0.0.2");

    public async Task<ImapClient> ConnectAsync(CancellationToken ct)
    {
        var client = new ImapClient
        {
            // Loopback benchmark against self-signed certificates on both sides.
            ServerCertificateValidationCallback = (_, _, _, _) => true,
            LocalEndPoint = new IPEndPoint(ClientAddress, 0),
            Timeout = 300_000,
        };
        await client.ConnectAsync(Host, Port, SecureSocketOptions.SslOnConnect, ct);
        return client;
    }

    public async Task<ImapClient> LoginAsync(string user, CancellationToken ct)
    {
        var client = await ConnectAsync(ct);
        await client.AuthenticateAsync(user, Password, ct);
        return client;
    }
}

/// <summary>Process memory from /proc: RSS (counts shared pages once per process) and PSS (shares them out).</summary>
public static class ProcMemory
{
    public static (long RssKb, long PssKb, int Processes) Sum(IEnumerable<int> pids)
    {
        long rss = 0, pss = 0;
        int n = 0;
        foreach (int pid in pids)
        {
            try
            {
                foreach (var line in File.ReadLines($"/proc/{pid}/smaps_rollup"))
                {
                    if (line.StartsWith("Rss:", StringComparison.Ordinal))
                    {
                        rss += Kb(line);
                    }
                    else if (line.StartsWith("Pss:", StringComparison.Ordinal))
                    {
                        pss += Kb(line);
                    }
                }

                n++;
            }
            catch (IOException)
            {
                // Process ended between listing and reading.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return (rss, pss, n);
    }

    /// <summary>The given root and all its descendants (Dovecot's master forks every service).</summary>
    public static int[] Tree(int root)
    {
        var parents = new Dictionary<int, int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid))
            {
                continue;
            }

            try
            {
                string stat = File.ReadAllText(Path.Combine(dir, "stat"));
                // Field 4 after the ")" that closes the command name.
                var rest = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                parents[pid] = int.Parse(rest[1]);
            }
            catch (IOException)
            {
            }
        }

        var result = new List<int> { root };
        for (int k = 0; k < result.Count; k++)
        {
            result.AddRange(parents.Where(p => p.Value == result[k]).Select(p => p.Key));
        }

        return [.. result];
    }

    private static long Kb(string line) => long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
}
