using System.Globalization;
using System.Text.RegularExpressions;
using Postern.Imap.Parsing;
using Postern.Imap.Session;
using Postern.Net;
using Postern.Storage;

namespace Postern.Imap.Commands;

/// <summary>
/// APPEND (RFC 3501 6.3.11) with UIDPLUS's APPENDUID (RFC 4315 3). The message literal is checked
/// (mailbox, size) before "+" is sent and then streamed to a temporary file, so a 50 MiB message
/// never sits in memory; the store takes it from there.
/// </summary>
public sealed partial class AppendCommand : IImapCommand
{
    public async Task ExecuteAsync(ImapSession session, ImapCommand command, CancellationToken ct)
    {
        var literal = session.Literal ?? throw ImapException.Bad("APPEND needs the message as a literal");
        if (command.Args.Count is < 1 or > 3)
        {
            throw ImapException.Bad("Wrong number of arguments");
        }

        string name = Arguments.Mailbox(command.Args[0]);
        var flags = MessageFlags.None;
        var keywords = new List<string>();
        DateTimeOffset? date = null;
        foreach (var arg in command.Args.Skip(1))
        {
            if (arg.Kind == ImapTokenKind.List && date is null && keywords.Count == 0 && flags == MessageFlags.None)
            {
                flags = Flags.Parse(arg.Items, keywords);
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

        var box = await session.Store.GetMailboxAsync(session.RequireAccount.Id, name, ct).ConfigureAwait(false)
            ?? throw ImapException.No("[TRYCREATE] No such mailbox");
        if (literal.Size > session.Options.MaxAppendSize)
        {
            // No "+" was sent, so the client sends nothing more (RFC 7888 4, RFC 9051 7.1 TOOBIG).
            throw ImapException.No("[TOOBIG] Message too large");
        }

        // Before "+", like TOOBIG: an over-quota message is refused unread (RFC 9208 7 OVERQUOTA).
        await QuotaCheck.EnsureRoomAsync(session, literal.Size, ct).ConfigureAwait(false);

        if (!literal.NonSync)
        {
            session.Connection.WriteLine("+ Ready for literal data");
        }

        string dir = session.Options.SpoolDirectory ?? Path.GetTempPath();
        var spool = new FileStream(Path.Combine(dir, "postern-append-" + Path.GetRandomFileName()), FileMode.CreateNew,
            FileAccess.ReadWrite, FileShare.None, 64 * 1024, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        await using (spool.ConfigureAwait(false))
        {
            await CopyLiteralAsync(session.Connection, spool, literal.Size, ct).ConfigureAwait(false);
            literal.Consumed = true;

            // The command ends after the literal; MULTIAPPEND (RFC 3502) is not offered.
            var rest = await session.Connection.ReadLineAsync(session.Options.MaxLineLength, ct).ConfigureAwait(false);
            if (rest.Status == LineStatus.Closed)
            {
                throw new EndOfStreamException("The client closed the connection after an APPEND literal.");
            }

            if (rest.Status != LineStatus.Line || !rest.Bytes.Span.Trim((byte)' ').IsEmpty)
            {
                throw ImapException.Bad("Unexpected data after the message");
            }

            spool.Position = 0;
            uint uid = await MailboxErrors.RunAsync(() => session.Store.AppendAsync(box.Id, spool, flags, keywords, date ?? DateTimeOffset.UtcNow, ct)).ConfigureAwait(false);
            Log.Appended(session.Log, session.RequireAccount.Id, literal.Size);

            // A message appended to the selected mailbox is announced now (RFC 3501 6.3.11: EXISTS).
            if (session.Selected?.Info.Id == box.Id)
            {
                await session.RefreshAsync(ct).ConfigureAwait(false);
            }

            session.Ok(command.Tag, $"[APPENDUID {box.UidValidity} {uid}] APPEND completed");
        }
    }

    private static async Task CopyLiteralAsync(MailConnection connection, Stream target, long size, CancellationToken ct)
    {
        var buffer = new byte[(int)Math.Min(Math.Max(size, 1), 64 * 1024)];
        while (size > 0)
        {
            int n = await connection.ReadAsync(buffer.AsMemory(0, (int)Math.Min(size, buffer.Length)), ct).ConfigureAwait(false);
            if (n == 0)
            {
                throw new EndOfStreamException("The client closed the connection in the middle of a literal.");
            }

            await target.WriteAsync(buffer.AsMemory(0, n), ct).ConfigureAwait(false);
            size -= n;
        }
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
