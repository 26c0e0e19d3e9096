using Postern.Net;
using Postern.Smtp.Delivery;
using Postern.Smtp.Parsing;
using Postern.Storage;

namespace Postern.Smtp.Session;

internal sealed partial class SmtpSession
{
    /// <summary>
    /// How much of a data line is handled at once. Lines have no limit of their own (only the message
    /// size bounds them): longer ones are read, checked and spooled in pieces of this size.
    /// </summary>
    private const int DataPieceSize = 64 * 1024;

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
        Delivered();
    }

    /// <summary>
    /// Reads data lines up to the end-of-data mark, un-stuffing dots and writing CRLF-terminated lines
    /// to <paramref name="sink"/> while the message is still acceptable.
    /// </summary>
    /// <remarks>
    /// A line of any length is accepted and stored as received, up to the message size: RFC 5321
    /// 4.5.3.1.6 limits a text line to 1000 octets, but refusing mail that breaks it bounces real
    /// (if badly formatted) mail at its sender, and Postfix accepts such lines too. Long lines
    /// arrive in pieces (<see cref="MailConnection.ReadLinePieceAsync"/>); only a line's first
    /// piece can be the end-of-data mark, a stuffed dot or a header field.
    /// </remarks>
    /// <returns>complete = false when the session must end (the peer closed).</returns>
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
        bool lineStart = true;
        var hops = new HopCounter(_options.MaxHops);
        // One clock for the whole DATA phase: slower than MinDataRate after the grace period, or a
        // pause longer than the stall timeout, ends the session with 421 4.4.2 like any timeout.
        var transfer = _connection.StartTransfer(_options.MinDataRate, "Smtp:MinDataRate");
        while (true)
        {
            var piece = await _connection.ReadLinePieceAsync(DataPieceSize, transfer, _ct).ConfigureAwait(false);
            if (piece.Closed)
            {
                _log.Closing(_remote, "connection closed during DATA");
                _close = true;
                return (false, rejection, size);
            }

            var content = piece.Bytes.Span;
            if (lineStart && piece.EndsLine && DataLine.IsEndOfData(content, piece.BareLineFeed, previousEndedWithCrlf))
            {
                return (true, rejection, size);
            }

            // Smuggling defence (RFC 5321 2.3.8: CR and LF only ever appear together as CRLF).
            // Policy: a bare LF ending a line or a bare CR anywhere never ends the data and never
            // splits it; the whole message is refused with 550 5.6.0 at the real end of data, so a
            // sender that disagrees with us about where the message ends cannot get a second,
            // smuggled message accepted, and we never rewrite line endings silently.
            if ((piece.BareLineFeed || DataLine.HasBareCarriageReturn(content)) && rejection != DataRejection.SpoolFailed)
            {
                rejection = DataRejection.BareCrOrLf;
            }

            var data = lineStart ? DataLine.Unstuff(content) : content;
            if (lineStart)
            {
                hops.Line(data);
                if (hops.Exceeded && rejection == DataRejection.None)
                {
                    rejection = DataRejection.TooManyHops;
                }
            }

            size += data.Length + (piece.EndsLine ? 2 : 0);
            if (size > _options.MaxMessageSize && rejection == DataRejection.None)
            {
                // Keep reading to the end of data (RFC 1870 6.2 wants the reply after the "."), storing nothing more.
                rejection = DataRejection.TooLarge;
            }

            if (rejection == DataRejection.None &&
                !await TryWriteSpoolAsync(sink, piece.Bytes[(content.Length - data.Length)..], piece.EndsLine ? Crlf : null, id).ConfigureAwait(false))
            {
                rejection = DataRejection.SpoolFailed;
            }

            if (piece.EndsLine)
            {
                previousEndedWithCrlf = !piece.BareLineFeed;
            }

            lineStart = piece.EndsLine;
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
