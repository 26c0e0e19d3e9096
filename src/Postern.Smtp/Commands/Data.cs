using Postern.Net;
using Postern.Smtp.Delivery;
using Postern.Smtp.Parsing;
using Postern.Storage;

namespace Postern.Smtp.Session;

internal sealed partial class SmtpSession
{
    /// <summary>Longest data line we accept, line ending included (RFC 5321 4.5.3.1.6 says 1000; real mail is sloppier).</summary>
    private const int DataLineLimit = 64 * 1024;

    /// <summary>
    /// How far we read a data line to learn how it ended. Past this the connection layer no longer
    /// tells us whether the line ended in CRLF or a bare LF, so we could not find the end of data
    /// safely and close the connection instead.
    /// </summary>
    private const int DataReadLimit = 256 * 1024;

    private static readonly byte[] Crlf = "\r\n"u8.ToArray();

    /// <summary>Why the spool file could not be written, for the reply at the end of data.</summary>
    private Exception? _spoolError;

    /// <summary>Why a message was refused at the end of data; the first, most serious reason wins.</summary>
    private enum DataRejection
    {
        None,

        /// <summary>Writing the spool file failed (disk full...): 451, the client should retry.</summary>
        SpoolFailed,
        BareCrOrLf,
        LineTooLong,
        TooLarge,

        /// <summary>Too many Received fields: a mail loop (HopCounter).</summary>
        TooManyHops,
    }

    /// <summary>
    /// DATA (RFC 5321 4.1.1.4): streams the message into a spool file, then stores it durably and only
    /// then answers 250. Nothing of a rejected message is stored, and each DATA gets exactly one reply.
    /// </summary>
    private async Task DataAsync(bool hasArgs)
    {
        if (hasArgs)
        {
            Error(Replies.NoArgumentsAllowed);
            return;
        }

        if (_transaction is null)
        {
            Error(_helo is null ? Replies.SendHeloFirst : Replies.NeedMail);
            return;
        }

        if (_transaction.Count == 0)
        {
            // RFC 5321 3.3 / RFC 2920 3.1: with pipelining, every RCPT may have failed; 554 then.
            Error(Replies.NoValidRecipients);
            return;
        }

        var transaction = _transaction;
        _transaction = null;
        _spoolError = null;
        string id = ReceivedHeader.NewId();
        SpoolFile spool;
        try
        {
            spool = SpoolFile.Create(_options.SpoolDirectory, id);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Our fault, not the client's: 451 (452 when the disk is full) before 354, so no data is sent in vain.
            _log.StoreFailed(e, id);
            Send(StorageFailure.Reply(e));
            return;
        }

        await using var spoolScope = spool.ConfigureAwait(false);
        var header = ReceivedHeader.Build(
            _helo!,
            _connection.RemoteAddress,
            _hostname,
            ReceivedHeader.Protocol(_esmtp, transaction.Utf8, _connection.IsTls, _account is not null),
            id,
            DateTimeOffset.UtcNow);

        Send(Replies.StartData);
        // A port 25 session never logs in; reaching DATA is its equivalent (MAIL and RCPT prove
        // nothing, postmaster always exists), and the DATA rate bounds the message from here.
        _connection.EndPreLoginBound();
        var (complete, rejection, size) = await ReceiveDataAsync(spool.Stream, header, id).ConfigureAwait(false);
        if (!complete)
        {
            return;
        }

        if (rejection == DataRejection.SpoolFailed)
        {
            Send(StorageFailure.Reply(_spoolError));
            return;
        }

        if (rejection != DataRejection.None)
        {
            _log.MessageRejected(id, _remote, rejection.ToString());
            Error(rejection switch
            {
                DataRejection.BareCrOrLf => Replies.BareCrOrLf,
                DataRejection.LineTooLong => Replies.DataLineTooLong,
                DataRejection.TooManyHops => Replies.TooManyHops,
                _ => Replies.MessageTooLarge,
            });
            return;
        }

        try
        {
            await spool.Stream.FlushAsync(_ct).ConfigureAwait(false);
            if (await FullRecipientsAsync(transaction, spool.Stream.Length).ConfigureAwait(false) is > 0 and int full)
            {
                _log.MessageRejected(id, _remote, "mailbox full");
                // One DATA reply covers every recipient (RFC 5321 3.3), and refusing only some would lose
                // the message for them silently (no DSN yet): when all are full, 552 for good; when only
                // some are, 452 so the client retries, and its next RCPT refuses just the full mailbox.
                Send(full == transaction.Count ? Replies.MailboxFull : Replies.SomeMailboxesFull);
                return;
            }

            spool.Stream.Position = 0;
            var envelope = new InboundMessage(transaction.ReturnPath.ToString(), [.. transaction.LocalAccounts], [.. transaction.RemoteRecipients]);
            await _store.AcceptAsync(envelope, spool.Stream, _ct).ConfigureAwait(false);
        }
        catch (Exception e) when (!(e is OperationCanceledException && _ct.IsCancellationRequested))
        {
            _log.StoreFailed(e, id);
            Send(StorageFailure.Reply(e));
            return;
        }

        _log.MessageAccepted(id, transaction.ReturnPath.ToString(), transaction.LocalAccounts.Count, transaction.RemoteRecipients.Count, size);
        // Only now, with the message durable, may we take responsibility for it (RFC 5321 6.1).
        Send(new Reply(250, "2.0.0", $"Ok: queued as {id}"));
    }

    /// <summary>
    /// Reads data lines up to the end-of-data mark, un-stuffing dots and writing CRLF-terminated lines
    /// to <paramref name="sink"/> while the message is still acceptable.
    /// </summary>
    /// <returns>complete = false when the session must end (peer closed, or a line too long to track).</returns>
    private async Task<(bool Complete, DataRejection Rejection, long Size)> ReceiveDataAsync(Stream sink, byte[] header, string id)
    {
        var rejection = DataRejection.None;
        long size = 0;
        if (!await TryWriteSpoolAsync(sink, header, null, id).ConfigureAwait(false))
        {
            rejection = DataRejection.SpoolFailed;
        }

        // The DATA command line itself ended with CRLF (bare-LF commands are refused).
        bool previousEndedWithCrlf = true;
        var hops = new HopCounter(_options.MaxHops);
        // One clock for the whole DATA phase: slower than MinDataRate after the grace period, or a
        // pause longer than the stall timeout, ends the session with 421 4.4.2 like any timeout.
        var transfer = _connection.StartTransfer(_options.MinDataRate, "Smtp:MinDataRate");
        while (true)
        {
            var line = await _connection.ReadLineAsync(DataReadLimit, transfer, _ct).ConfigureAwait(false);
            if (line.Status == LineStatus.Closed)
            {
                _log.Closing(_remote, "connection closed during DATA");
                _close = true;
                return (false, rejection, size);
            }

            if (line.Status == LineStatus.TooLong)
            {
                // We no longer know whether that line ended in CRLF or a bare LF, so we cannot find the
                // end of data without risking smuggling; refuse the message and end the session.
                _log.MessageRejected("-", _remote, "data line far too long");
                Send(Replies.DataLineFarTooLong);
                _close = true;
                return (false, DataRejection.LineTooLong, size);
            }

            var content = line.Bytes.Span;
            if (DataLine.IsEndOfData(content, line.BareLineFeed, previousEndedWithCrlf))
            {
                return (true, rejection, size);
            }

            previousEndedWithCrlf = !line.BareLineFeed;

            // Smuggling defence (RFC 5321 2.3.8: CR and LF only ever appear together as CRLF).
            // Policy: a bare LF ending a line or a bare CR anywhere never ends the data and never
            // splits it; the whole message is refused with 550 5.6.0 at the real end of data, so a
            // sender that disagrees with us about where the message ends cannot get a second,
            // smuggled message accepted, and we never rewrite line endings silently.
            if ((line.BareLineFeed || DataLine.HasBareCarriageReturn(content)) && rejection != DataRejection.SpoolFailed)
            {
                rejection = DataRejection.BareCrOrLf;
            }
            else if (content.Length + 2 > DataLineLimit && rejection == DataRejection.None)
            {
                rejection = DataRejection.LineTooLong;
            }

            var data = DataLine.Unstuff(content);
            hops.Line(data);
            if (hops.Exceeded && rejection == DataRejection.None)
            {
                rejection = DataRejection.TooManyHops;
            }

            size += data.Length + 2;
            if (size > _options.MaxMessageSize && rejection == DataRejection.None)
            {
                // Keep reading to the end of data (RFC 1870 6.2 wants the reply after the "."), storing nothing more.
                rejection = DataRejection.TooLarge;
            }

            if (rejection == DataRejection.None &&
                !await TryWriteSpoolAsync(sink, line.Bytes[(content.Length - data.Length)..], Crlf, id).ConfigureAwait(false))
            {
                rejection = DataRejection.SpoolFailed;
            }
        }
    }

    /// <summary>Writes to the spool file; a local disk failure is logged and reported as false, not thrown as a connection error.</summary>
    private async Task<bool> TryWriteSpoolAsync(Stream sink, ReadOnlyMemory<byte> first, ReadOnlyMemory<byte>? second, string id)
    {
        try
        {
            await sink.WriteAsync(first, _ct).ConfigureAwait(false);
            if (second is { } more)
            {
                await sink.WriteAsync(more, _ct).ConfigureAwait(false);
            }

            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _log.StoreFailed(e, id);
            _spoolError = e;
            return false;
        }
    }
}
