using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;
using Postern.Storage;
using Postern.Storage.Sqlite;

// Usage: StoreTiming <data-dir> [messages]. Populates the folder on first use (bulk SQL, one body
// file per message), then times the IMAP-shaped store reads. Run the "before" build first: the
// "after" build migrates the same store to its schema (and times that).
string dir = args.Length > 0 ? args[0] : throw new ArgumentException("usage: StoreTiming <data-dir> [messages]");
int count = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100_000;
const string Address = "timing@example.org";

if (!File.Exists(Path.Combine(dir, "store.db")))
{
    var sw = Stopwatch.StartNew();
    await Populate(dir, count);
    Console.WriteLine($"populate {count} messages: {sw.Elapsed.TotalSeconds:F1} s");
}

var open = Stopwatch.StartNew();
await using var store = await SqliteMailStore.OpenAsync(dir);
Console.WriteLine($"open (incl. migration): {open.Elapsed.TotalMilliseconds:F0} ms");
var account = (await store.FindAccountAsync(Address))!;
var inbox = (await store.GetMailboxAsync(account.Id, "INBOX"))!;
Console.WriteLine($"mailbox: {inbox.MessageCount} messages, {inbox.TotalSize} octets");

var times = new Dictionary<string, List<double>>();
async Task Time(string name, int reps, Func<Task> work)
{
    await work(); // warm-up
    var list = times[name] = [];
    for (int i = 0; i < reps; i++)
    {
        var sw = Stopwatch.StartNew();
        await work();
        list.Add(sw.Elapsed.TotalMilliseconds);
    }

    list.Sort();
    Console.WriteLine($"{name,-52} median {list[list.Count / 2],9:F1} ms  (min {list[0]:F1}, max {list[^1]:F1})");
}

await Time("STATUS: GetMailboxAsync", 9, () => store.GetMailboxAsync(account.Id, "INBOX"));
await Time("SELECT: GetMailboxAsync + ListMessagesAsync", 5, async () =>
{
    await store.GetMailboxAsync(account.Id, "INBOX");
    await store.ListMessagesAsync(inbox.Id);
});

uint flip = (uint)(count / 2);
int round = 0;
#if NEW_API
ulong known = await store.GetHighestModSeqAsync(inbox.Id);
await Time("refresh after 1 flag change (changed since)", 9, async () =>
{
    await store.SetFlagsAsync(inbox.Id, [flip], MessageFlags.Flagged, [], round++ % 2 == 0 ? FlagChange.Add : FlagChange.Remove, null);
    var sw = Stopwatch.StartNew();
    ulong highest = await store.GetHighestModSeqAsync(inbox.Id);
    var gone = await store.ExpungedSinceAsync(inbox.Id, known);
    var changed = await store.ListMessagesAsync(inbox.Id, known);
    known = highest;
    if (changed.Count != 1)
    {
        throw new InvalidOperationException($"expected 1 change, got {changed.Count}");
    }
});
#else
await Time("refresh after 1 flag change (whole list)", 9, async () =>
{
    await store.SetFlagsAsync(inbox.Id, [flip], MessageFlags.Flagged, [], round++ % 2 == 0 ? FlagChange.Add : FlagChange.Remove, null);
    await store.GetMailboxAsync(account.Id, "INBOX");
    await store.ListMessagesAsync(inbox.Id);
});
#endif
Console.WriteLine("  (each refresh run includes its SetFlagsAsync, a durable write)");
await Time("1 flag change alone (SetFlagsAsync)", 9, () =>
    store.SetFlagsAsync(inbox.Id, [flip], MessageFlags.Flagged, [], round++ % 2 == 0 ? FlagChange.Add : FlagChange.Remove, null));

var uids = (await store.ListMessagesAsync(inbox.Id)).Select(m => m.Uid).ToList();
long headerBytes = 0;
#if NEW_API
var cold = Stopwatch.StartNew();
await foreach (var (_, header) in store.ReadHeadersAsync(inbox.Id, uids))
{
    headerBytes += header.Length;
}

Console.WriteLine($"{"headers of all messages, first time (fills cache)",-52} {cold.Elapsed.TotalMilliseconds,16:F1} ms  ({headerBytes} octets)");
await Time("headers of all messages (ReadHeadersAsync)", 3, async () =>
{
    headerBytes = 0;
    await foreach (var (_, header) in store.ReadHeadersAsync(inbox.Id, uids))
    {
        headerBytes += header.Length;
    }
});

var fill = Stopwatch.StartNew();
var structures = uids.Select(u => (u, new MessageStructure(
    $"(\"Mon, 1 Jan 2024 00:00:00 +0000\" \"subject {u}\" ((NIL NIL \"a\" \"example.org\")) NIL NIL ((NIL NIL \"b\" \"example.org\")) NIL NIL NIL \"<{u}@example.org>\")",
    "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"utf-8\") NIL NIL \"7BIT\" 1024 20 NIL NIL NIL NIL)",
    "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"utf-8\") NIL NIL \"7BIT\" 1024 20)"))).ToList();
for (int i = 0; i < structures.Count; i += 256)
{
    await store.SetCachedStructuresAsync(inbox.Id, structures.GetRange(i, Math.Min(256, structures.Count - i)));
}

Console.WriteLine($"{"structure cache: store all (batches of 256)",-52} {fill.Elapsed.TotalMilliseconds,16:F1} ms");
await Time("structure cache: read all (batches of 128)", 3, async () =>
{
    int found = 0;
    for (int i = 0; i < uids.Count; i += 128)
    {
        found += (await store.GetCachedStructuresAsync(inbox.Id, uids.GetRange(i, Math.Min(128, uids.Count - i)))).Count;
    }

    if (found != uids.Count)
    {
        throw new InvalidOperationException($"found {found} of {uids.Count}");
    }
});
#else
await Time("headers of all messages (open + read each file)", 3, async () =>
{
    headerBytes = 0;
    foreach (uint uid in uids)
    {
        await using var stream = (await store.OpenMessageAsync(inbox.Id, uid))!;
        headerBytes += (await ReadHeader(stream)).Length;
    }
});
#endif

#if !NEW_API
static async Task<byte[]> ReadHeader(Stream stream)
{
    // What MessageLoader.LoadHeaderAsync did before the header cache.
    var buffer = new byte[8192];
    int length = 0;
    while (length < buffer.Length)
    {
        int n = await stream.ReadAsync(buffer.AsMemory(length));
        if (n == 0)
        {
            break;
        }

        length += n;
        var text = buffer.AsSpan(0, length);
        int end = text.IndexOf("\r\n\r\n"u8);
        if (end >= 0)
        {
            return text[..(end + 4)].ToArray();
        }
    }

    return buffer.AsSpan(0, length).ToArray();
}
#endif

static async Task Populate(string dir, int count)
{
    await using (var store = await SqliteMailStore.OpenAsync(dir))
    {
        await store.AddDomainAsync("example.org");
        await store.AddAccountAsync(Address, "pbkdf2-sha256$1$c2FsdA==$aGFzaA==");
    }

    using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(dir, "store.db"), Pooling = false }.ToString());
    connection.Open();
    using var tx = connection.BeginTransaction();
    long inboxId;
    using (var find = connection.CreateCommand())
    {
        find.Transaction = tx;
        find.CommandText = "SELECT m.id FROM mailboxes m JOIN accounts a ON a.id = m.account_id WHERE a.address = $a AND m.name = 'INBOX';";
        find.Parameters.AddWithValue("$a", Address);
        inboxId = (long)find.ExecuteScalar()!;
    }

    using var blob = connection.CreateCommand();
    blob.Transaction = tx;
    blob.CommandText = "INSERT INTO blobs (path, size) VALUES ($path, $size) RETURNING id;";
    var pathParam = blob.Parameters.AddWithValue("$path", "");
    var sizeParam = blob.Parameters.AddWithValue("$size", 0L);
    using var message = connection.CreateCommand();
    message.Transaction = tx;
    message.CommandText = """
        INSERT INTO messages (mailbox_id, uid, blob_id, flags, internal_date, internal_tz, size, modseq)
        VALUES ($mailbox, $uid, $blob, $flags, $date, 0, $size, $modseq);
        """;
    message.Parameters.AddWithValue("$mailbox", inboxId);
    var uidParam = message.Parameters.AddWithValue("$uid", 0L);
    var blobParam = message.Parameters.AddWithValue("$blob", 0L);
    var flagsParam = message.Parameters.AddWithValue("$flags", 0);
    var dateParam = message.Parameters.AddWithValue("$date", 0L);
    var msizeParam = message.Parameters.AddWithValue("$size", 0L);
    var modSeqParam = message.Parameters.AddWithValue("$modseq", 0L);
    var random = new Random(42);
    for (int i = 1; i <= count; i++)
    {
        string id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        string relative = id[..2] + "/" + id + ".eml";
        Directory.CreateDirectory(Path.Combine(dir, "messages", id[..2]));
        var date = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000 + (i * 60L));
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Received: from mx{i % 7}.example.net (mx.example.net [192.0.2.{i % 250}])\r\n\tby mail.example.org with ESMTPS id {id}\r\n\tfor <{Address}>; {date:R}\r\n");
        text.Append(CultureInfo.InvariantCulture, $"From: Sender {i % 997} <sender{i % 997}@example.net>\r\nTo: Timing <{Address}>\r\n");
        text.Append(CultureInfo.InvariantCulture, $"Subject: {(i % 50 == 0 ? "zebrafish" : "message")} number {i}\r\nDate: {date:R}\r\nMessage-ID: <{id}@example.net>\r\n");
        text.Append("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\n");
        int lines = 10 + random.Next(60);
        for (int l = 0; l < lines; l++)
        {
            text.Append("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod.\r\n");
        }

        byte[] bytes = Encoding.ASCII.GetBytes(text.ToString());
        File.WriteAllBytes(Path.Combine(dir, "messages", relative), bytes);
        pathParam.Value = relative;
        sizeParam.Value = bytes.Length;
        long blobId = (long)blob.ExecuteScalar()!;
        uidParam.Value = (long)i;
        blobParam.Value = blobId;
        flagsParam.Value = i % 3 == 0 ? 0 : 1; // a third unseen
        dateParam.Value = date.ToUnixTimeMilliseconds();
        msizeParam.Value = bytes.Length;
        modSeqParam.Value = i + 1L;
        message.ExecuteNonQuery();
    }

    using var bump = connection.CreateCommand();
    bump.Transaction = tx;
    bump.CommandText = "UPDATE mailboxes SET uid_next = $next, highest_modseq = $next WHERE id = $id;";
    bump.Parameters.AddWithValue("$next", count + 1L);
    bump.Parameters.AddWithValue("$id", inboxId);
    bump.ExecuteNonQuery();
    tx.Commit();
}
