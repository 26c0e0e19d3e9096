using System.Diagnostics;
using Postern.Storage;
using Postern.Storage.Sqlite;

namespace Postern.Bench;

/// <summary>
/// Fills one Postern INBOX through the store API (before serve starts: the store is exclusive)
/// and one Dovecot Maildir with files, from the same corpus. Each side gets its native form:
/// CRLF for Postern (wire form, as SMTP stores it), LF for Maildir (as Dovecot's LMTP writes).
/// </summary>
public static class Populate
{
    public static async Task PosternAsync(string dataDir, string address, int count, int parallel)
    {
        var sw = Stopwatch.StartNew();
        await using var store = await SqliteMailStore.OpenAsync(dataDir);
        var account = await store.FindAccountAsync(address) ?? throw new InvalidOperationException($"no Postern account {address}");
        var inbox = await store.GetMailboxAsync(account.Id, "INBOX") ?? throw new InvalidOperationException("no INBOX");
        if (inbox.MessageCount >= count)
        {
            Console.WriteLine($"[populate] postern {address}: already {inbox.MessageCount} messages");
            return;
        }

        int start = inbox.MessageCount;
        int next = start - 1;
        var deadline = DateTime.UtcNow.AddMinutes(30);
        var workers = Enumerable.Range(0, parallel).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException("Postern population exceeded 30 minutes");
                }

                byte[] bytes = Corpus.Bytes(i, address, crlf: true);
                await store.AppendAsync(inbox.Id, new MemoryStream(bytes), MessageFlags.None, DateTimeOffset.UnixEpoch.AddSeconds(1_735_718_400 + i * 420L));
            }
        })).ToArray();
        await Task.WhenAll(workers);
        Console.WriteLine($"[populate] postern {address}: {count - start} messages in {sw.Elapsed.TotalSeconds:F1} s");
    }

    public static void Maildir(string maildir, string address, int count)
    {
        var sw = Stopwatch.StartNew();
        string cur = Path.Combine(maildir, "cur");
        foreach (var d in new[] { "cur", "new", "tmp" })
        {
            Directory.CreateDirectory(Path.Combine(maildir, d));
        }

        int existing = Directory.EnumerateFiles(cur, "*.bench,*").Count();
        if (existing >= count)
        {
            Console.WriteLine($"[populate] maildir {maildir}: already {existing} messages");
            return;
        }

        var deadline = DateTime.UtcNow.AddMinutes(30);
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = 2 }, i =>
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("Maildir population exceeded 30 minutes");
            }

            byte[] bytes = Corpus.Bytes(i, address, crlf: false);
            long time = 1_735_718_400 + i * 420L;
            // Unique name sorts by delivery time; S= lets Dovecot skip stat for the size.
            string name = $"{time}.M{i:D7}P1.bench,S={bytes.Length}:2,";
            string path = Path.Combine(cur, name);
            File.WriteAllBytes(path, bytes);
            File.SetLastWriteTimeUtc(path, DateTime.UnixEpoch.AddSeconds(time));
        });
        Console.WriteLine($"[populate] maildir {maildir}: {count} messages in {sw.Elapsed.TotalSeconds:F1} s");
    }
}
