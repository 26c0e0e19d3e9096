using System.Globalization;
using System.Text.RegularExpressions;
using Postern.Imap.Parsing;
using Postern.Imap.Session;
using Postern.Net;
using Postern.Storage;

namespace Postern.Imap.Commands;

/// <summary>
/// APPEND (RFC 3501 6.3.11) with UIDPLUS's APPENDUID (RFC 4315 3) and MULTIAPPEND (RFC 3502): each
/// message literal is checked (mailbox, size) before "+" is sent and then streamed to a temporary
/// file, so a 50 MiB message never sits in memory. Only when every message has arrived are they
/// stored, all or none. literal8 (RFC 3516 4.4) and the UTF8 data item (RFC 6855 4) are accepted.
/// </summary>
public sealed partial class AppendCommand : IImapCommand
{
    /// <summary>Most messages in one MULTIAPPEND; each is a spool file until the command ends.</summary>
    public const int MaxMessages = 1000;

    /// <summary>All messages of one MULTIAPPEND together may take this many times <see cref="ImapOptions.MaxAppendSize"/>.</summary>
    public const int MaxTotalFactor = 4;

    public async Task ExecuteAsync(ImapSession session, ImapCommand command, CancellationToken ct)
    {
        var literal = session.Literal ?? throw ImapException.Bad("APPEND needs the message as a literal");
        if (command.Args.Count is < 1 or > 3)
        {
            throw ImapException.Bad("Wrong number of arguments");
        }

        string name = Arguments.Mailbox(session, command.Args[0]);
        var first = ParseMessageOptions(command.Args.Skip(1));
        var box = await session.Store.GetMailboxAsync(session.RequireAccount.Id, name, ct).ConfigureAwait(false)
            ?? throw ImapException.No("[TRYCREATE] No such mailbox");

        var spools = new List<(FileStream Spool, AppendOptions Options, long Size)>();
        Exception? spoolError = null;
        bool nul = false;
        try
        {
            // The UTF8 data item always holds a literal8 (RFC 6855 4).
            var pending = new PendingMessage(literal.Size, literal.NonSync, literal.Utf8, literal.Binary || literal.Utf8, first);
            long total = 0;
            CheckMessage(session, pending, 0, 0);

            // Before "+", like TOOBIG: an over-quota message is refused unread (RFC 9208 7 OVERQUOTA).
            await QuotaCheck.EnsureRoomAsync(session, pending.Size, ct).ConfigureAwait(false);
            while (true)
            {
                if (!pending.NonSync)
                {
                    session.Connection.WriteLine("+ Ready for literal data");
                }

                var spool = CreateSpool(session);
                spools.Add((spool, pending.Options, pending.Size));
                // A spool that cannot be written (disk full) does not end the command early: the rest of
                // it is still read, so none of its bytes is taken for a command, and the answer is NO.
                // Always read: a later literal must be consumed even after an earlier one failed.
                // Slower than MinLiteralRate, or a stall, ends the session like the idle timeout (slowloris);
                // the rest of the line after the message is owed at once too, on the same clock.
                var transfer = session.Connection.StartTransfer(session.Options.MinLiteralRate, CommandReader.MinLiteralRateKey);
                var (copyError, hadNul) = await CopyLiteralAsync(session.Connection, spool, pending.Size, pending.Binary, transfer, ct).ConfigureAwait(false);
                if (copyError is null && pending.Binary)
                {
                    copyError = await EncodeNulPartsAsync(spool, ct).ConfigureAwait(false);
                }

                spoolError ??= copyError;
                nul |= hadNul;

                literal.Consumed = true;
                total += pending.Size;

                // After the message: nothing (the end), or SP and the next message (RFC 3502 6).
                var rest = await session.Connection.ReadLineAsync(session.Options.MaxLineLength, transfer, ct).ConfigureAwait(false);
                if (rest.Status == LineStatus.Closed)
                {
                    throw new EndOfStreamException("The client closed the connection after an APPEND literal.");
                }

                if (rest.Status != LineStatus.Line)
                {
                    throw ImapException.Bad("Line too long after the message");
                }

                PendingMessage? next;
                try
                {
                    next = ParseNext(session, rest.Bytes.Span, pending.Utf8);
                    if (next is null)
                    {
                        break;
                    }

                    CheckMessage(session, next, spools.Count, total);
                    await QuotaCheck.EnsureRoomAsync(session, total + next.Size, ct).ConfigureAwait(false);
                }
                catch (ImapException)
                {
                    // Refused before "+": a {n+} is already on its way and is skipped with the rest of the command.
                    if (LiteralMarker.TryFindAtEnd(rest.Bytes.Span, out long size, out bool nonSync) && nonSync
                        && !await LiteralDrain.DrainCommandAsync(session.Connection, size, session.Options.MaxLineLength, session.Options.MaxAppendSize, session.Options.MinLiteralRate, ct).ConfigureAwait(false))
                    {
                        throw new EndOfStreamException("Could not skip a refused APPEND literal.");
                    }

                    throw;
                }

                pending = next;
            }

            if (nul)
            {
                // RFC 3501 9 / RFC 9051 9: a literal is CHAR8, which excludes NUL; only a literal8
                // (RFC 3516 4.4, ~{n}) may carry one. Read to the end and refused whole: nothing stored.
                throw ImapException.No("Message contains a NUL octet; send it as a literal8 (~{n}, BINARY)");
            }

            if (spoolError is not null)
            {
                throw StorageRefusal(session, spoolError);
            }

            List<uint> uids;
            try
            {
                uids = await StoreAllAsync(session, box, spools, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or System.Data.Common.DbException)
            {
                throw StorageRefusal(session, e);
            }

            // A message appended to the selected mailbox is announced now (RFC 3501 6.3.11: EXISTS).
            if (session.Selected?.Info.Id == box.Id)
            {
                await session.RefreshAsync(ct).ConfigureAwait(false);
            }

            session.Ok(command.Tag, $"[APPENDUID {box.UidValidity} {UidSet(uids)}] APPEND completed");
        }
        finally
        {
            foreach (var (spool, _, _) in spools)
            {
                try
                {
                    await spool.DisposeAsync().ConfigureAwait(false);
                }
                catch (IOException e)
                {
                    // Flushing a spool on a full disk fails again at close; the file is deleted on
                    // close all the same, and the command has already been answered.
                    Log.SpoolCloseFailed(session.Log, e.Message);
                }
            }
        }
    }

    /// <summary>
    /// The tagged NO for a message the server could not store: [OVERQUOTA] when the disk is full,
    /// as Dovecot answers (RFC 9208 7 allows it for any storage limit), [SERVERBUG] otherwise. Both
    /// leave the session usable and nothing stored.
    /// </summary>
    private static ImapException StorageRefusal(ImapSession session, Exception e)
    {
        Log.AppendStoreFailed(session.Log, e.GetType().Name, e.Message);
        return DiskFull.Is(e)
            ? ImapException.No("[OVERQUOTA] Not enough disk space; try again later")
            : ImapException.No("[SERVERBUG] The message could not be stored; try again later");
    }

    /// <summary>The flags, keywords and date given before one message.</summary>
    private sealed record AppendOptions(MessageFlags Flags, List<string> Keywords, DateTimeOffset? Date);

    /// <summary>A message literal announced and not yet read; <paramref name="Binary"/> for a literal8, which may hold NUL.</summary>
    private sealed record PendingMessage(long Size, bool NonSync, bool Utf8, bool Binary, AppendOptions Options);

    /// <summary>
    /// A literal8 message whose parts hold NUL is rewritten in its spool with those parts in base64
    /// (<see cref="Mime.NulPartEncoder"/>); returns a write error like <see cref="CopyLiteralAsync"/>.
    /// </summary>
    private static async Task<Exception?> EncodeNulPartsAsync(FileStream spool, CancellationToken ct)
    {
        // At most MaxAppendSize octets, held once as FETCH holds one message.
        var raw = new byte[spool.Length];
        spool.Position = 0;
        await spool.ReadExactlyAsync(raw, ct).ConfigureAwait(false);
        if (Mime.NulPartEncoder.Encode(raw) is not { } encoded)
        {
            return null;
        }

        try
        {
            spool.SetLength(0);
            await spool.WriteAsync(encoded, ct).ConfigureAwait(false);
            await spool.FlushAsync(ct).ConfigureAwait(false);
            return null;
        }
        catch (IOException e)
        {
            return e;
        }
    }

    private static void CheckMessage(ImapSession session, PendingMessage pending, int count, long total)
    {
        if (pending.Size > session.Options.MaxAppendSize)
        {
            // No "+" was sent, so the client sends nothing more (RFC 7888 4, RFC 9051 7.1 TOOBIG).
            throw ImapException.No("[TOOBIG] Message too large");
        }

        if (count >= MaxMessages || total + pending.Size > session.Options.MaxAppendSize * MaxTotalFactor)
        {
            throw ImapException.No("[TOOBIG] Too many or too large messages in one APPEND");
        }

        if (pending.Utf8 && (session.Enabled & ImapExtensions.Utf8Accept) == 0)
        {
            // RFC 6855 4: the UTF8 data item is only valid once UTF8=ACCEPT is enabled.
            throw ImapException.Bad("UTF8 data item needs ENABLE UTF8=ACCEPT");
        }
    }

    /// <summary>
    /// Parses what follows a message literal: empty at the end, else SP [flags] [date] then a literal
    /// marker ({n}, {n+}, ~{n}, "UTF8 (~{n}"). Returns null at the end of the command.
    /// </summary>
    private static PendingMessage? ParseNext(ImapSession session, ReadOnlySpan<byte> line, bool closeUtf8)
    {
        if (closeUtf8)
        {
            // The UTF8 data item is "UTF8" SP "(" literal8 ")" (RFC 6855 4).
            if (line.IsEmpty || line[0] != (byte)')')
            {
                throw ImapException.Bad("Expected ')' after the UTF8 message");
            }

            line = line[1..];
        }

        if (line.Trim((byte)' ').IsEmpty)
        {
            return null;
        }

        if (line[0] != (byte)' ' || !LiteralMarker.TryFindAtEnd(line, out long size, out bool nonSync))
        {
            throw ImapException.Bad("Unexpected data after the message");
        }

        int head = AppendMarker.Strip(line[..line.LastIndexOf((byte)'{')], out bool binary, out bool utf8);

        // Flags and date are parsed as the arguments of a made-up command, with the same tokenizer.
        var fake = new byte[9 + head + 2];
        "x APPEND "u8.CopyTo(fake);
        line[..head].CopyTo(fake.AsSpan(9));
        fake[^2] = (byte)'\r';
        fake[^1] = (byte)'\n';
        var outcome = ImapParser.Parse(fake, session.Options.MaxLiteralSize, session.Options.MaxNestingDepth);
        if (outcome.Status != ParseStatus.Complete)
        {
            throw ImapException.Bad(outcome.Error ?? "Invalid message options");
        }

        return new PendingMessage(size, nonSync, utf8, binary || utf8, ParseMessageOptions(outcome.Command!.Args));
    }

    private static AppendOptions ParseMessageOptions(IEnumerable<ImapToken> args)
    {
        var flags = MessageFlags.None;
        var keywords = new List<string>();
        DateTimeOffset? date = null;
        bool seenFlags = false;
        foreach (var arg in args)
        {
            if (arg.Kind == ImapTokenKind.List && date is null && !seenFlags)
            {
                flags = Flags.Parse(arg.Items, keywords);
                seenFlags = true;
            }
            else if (arg.Kind == ImapTokenKind.String && date is null)
            {
                date = ParseDate(arg.Text) ?? throw ImapException.Bad("Invalid date-time");
            }
            else
            {
                throw ImapException.Bad("Expected flags, date-time and the message");
            }
        }

        return new AppendOptions(flags, keywords, date);
    }

    private static FileStream CreateSpool(ImapSession session)
    {
        string dir = session.Options.SpoolDirectory ?? Path.GetTempPath();
        return new FileStream(Path.Combine(dir, "postern-append-" + Path.GetRandomFileName()), FileMode.CreateNew,
            FileAccess.ReadWrite, FileShare.None, 64 * 1024, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
    }

    /// <summary>
    /// Stores every message; if one fails, those already stored are removed again so the APPEND
    /// leaves nothing behind (RFC 3502 6: "none of the messages are appended").
    /// </summary>
    private static async Task<List<uint>> StoreAllAsync(ImapSession session, MailboxInfo box, List<(FileStream Spool, AppendOptions Options, long Size)> spools, CancellationToken ct)
    {
        var uids = new List<uint>(spools.Count);
        try
        {
            foreach (var (spool, options, size) in spools)
            {
                spool.Position = 0;
                uids.Add(await MailboxErrors.RunAsync(() => session.Store.AppendAsync(box.Id, spool, options.Flags, options.Keywords, options.Date ?? DateTimeOffset.UtcNow, ct)).ConfigureAwait(false));
                Log.Appended(session.Log, session.RequireAccount.Id, size);
            }
        }
        catch when (uids.Count > 0)
        {
            // Not cancellable: a half-done MULTIAPPEND must not stay visible.
            await session.Store.SetFlagsAsync(box.Id, uids, MessageFlags.Deleted, FlagChange.Add, CancellationToken.None).ConfigureAwait(false);
            await session.Store.ExpungeAsync(box.Id, uids, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        return uids;
    }

    /// <summary>A uid-set with runs of consecutive UIDs as ranges, e.g. "5:7,9" (RFC 4315 3).</summary>
    public static string UidSet(IReadOnlyList<uint> uids)
    {
        var parts = new List<string>();
        int i = 0;
        while (i < uids.Count)
        {
            int j = i;
            while (j + 1 < uids.Count && uids[j + 1] == uids[j] + 1)
            {
                j++;
            }

            parts.Add(i == j ? uids[i].ToString(CultureInfo.InvariantCulture) : uids[i] + ":" + uids[j]);
            i = j + 1;
        }

        return string.Join(',', parts);
    }

    /// <summary>
    /// Reads the literal into <paramref name="target"/>. If writing fails (a full disk), or a NUL
    /// arrives in a literal that is not a literal8, the rest of the literal is still read and
    /// dropped, and the write error (or that a NUL was seen) is returned instead of thrown.
    /// </summary>
    private static async Task<(Exception? WriteError, bool Nul)> CopyLiteralAsync(MailConnection connection, Stream target, long size, bool binary, TransferClock transfer, CancellationToken ct)
    {
        bool nul = false;
        var buffer = new byte[(int)Math.Min(Math.Max(size, 1), 64 * 1024)];
        Exception? failed = null;
        while (size > 0)
        {
            int n = await connection.ReadAsync(buffer.AsMemory(0, (int)Math.Min(size, buffer.Length)), ct, transfer).ConfigureAwait(false);
            if (n == 0)
            {
                throw new EndOfStreamException("The client closed the connection in the middle of a literal.");
            }

            nul |= !binary && buffer.AsSpan(0, n).Contains((byte)0);
            if (failed is null && !nul)
            {
                try
                {
                    await target.WriteAsync(buffer.AsMemory(0, n), ct).ConfigureAwait(false);
                }
                catch (IOException e)
                {
                    failed = e;
                }
            }

            size -= n;
        }

        if (failed is null && !nul)
        {
            try
            {
                // Buffered bytes reach the disk now, so a full disk shows here and not at close.
                await target.FlushAsync(ct).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                failed = e;
            }
        }

        return (failed, nul);
    }

    /// <summary>date-time = DQUOTE date-day-fixed "-" date-month "-" date-year SP time SP zone DQUOTE (RFC 3501 9).</summary>
    public static DateTimeOffset? ParseDate(string text)
    {
        var m = DateTimeRegex().Match(text);
        if (!m.Success)
        {
            return null;
        }

        int month = Array.FindIndex(CultureInfo.InvariantCulture.DateTimeFormat.AbbreviatedMonthNames,
            n => n.Equals(m.Groups[2].Value, StringComparison.OrdinalIgnoreCase)) + 1;
        int day = int.Parse(m.Groups[1].Value.Trim(), CultureInfo.InvariantCulture);
        int year = int.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture);
        int hour = int.Parse(m.Groups[4].Value, CultureInfo.InvariantCulture);
        int minute = int.Parse(m.Groups[5].Value, CultureInfo.InvariantCulture);
        int second = int.Parse(m.Groups[6].Value, CultureInfo.InvariantCulture);
        int zone = int.Parse(m.Groups[8].Value, CultureInfo.InvariantCulture);
        var offset = new TimeSpan(zone / 100, zone % 100, 0) * (m.Groups[7].Value == "-" ? -1 : 1);
        if (month == 0 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 60 || zone % 100 > 59 || offset.Duration() > TimeSpan.FromHours(14))
        {
            return null;
        }

        return new DateTimeOffset(year, month, day, hour, minute, Math.Min(second, 59), offset);
    }

    [GeneratedRegex(@"^([ 0-9]?[0-9])-([A-Za-z]{3})-([0-9]{4}) ([0-9]{2}):([0-9]{2}):([0-9]{2}) ([+-])([0-9]{4})$", RegexOptions.CultureInvariant)]
    private static partial Regex DateTimeRegex();
}
