using System.Text;
using Postern.Imap.Parsing;
using Postern.Imap.Session;

namespace Postern.Imap.Commands;

/// <summary>
/// IDLE (RFC 2177): "+ idling", then every change to the selected mailbox (new, expunged, flagged
/// messages by anyone) is reported as it is committed, until the client sends DONE. The idle
/// timeout is the connection's logged-in read timeout (<see cref="ImapOptions.AuthenticatedTimeout"/>).
/// </summary>
public sealed class IdleCommand : IImapCommand
{
    /// <summary>Longest line accepted while idling; "DONE" is all a client should send.</summary>
    private const int MaxLine = 1024;

    public async Task ExecuteAsync(ImapSession session, ImapCommand command, CancellationToken ct)
    {
        Arguments.Count(command, 0, 0);
        var connection = session.Connection;

        // Anything that changed before IDLE started is reported at once.
        await session.RefreshAsync(ct).ConfigureAwait(false);
        connection.WriteLine("+ idling");
        await connection.FlushAsync(ct).ConfigureAwait(false);
        Log.IdleStarted(session.Log);

        // The line is read one byte at a time from the connection's buffer: bytes the client
        // pipelines after DONE stay there for the next command. Only one read is ever pending,
        // and output is written only while it is pending and flushed before the next read starts.
        var line = new List<byte>();
        var one = new byte[1];
        Task<int>? read = null;
        Task? changed = null;
        bool tooLong = false;

        // Cancelled on the way out, so an abandoned wait does not swallow a later change signal.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        try
        {
            while (true)
            {
                read ??= connection.ReadAsync(one, ct).AsTask();
                changed ??= session.Changed.WaitAsync(stop.Token);
                var done = await Task.WhenAny(read, changed).ConfigureAwait(false);
                if (done == changed)
                {
                    await changed.ConfigureAwait(false);
                    changed = null;
                    await session.RefreshAsync(ct).ConfigureAwait(false);
                    await connection.FlushAsync(ct).ConfigureAwait(false);
                    continue;
                }

                int n = await read.ConfigureAwait(false);
                read = null;
                if (n == 0)
                {
                    throw new EndOfStreamException("The client closed the connection while idling.");
                }

                if (one[0] != (byte)'\n')
                {
                    if (line.Count < MaxLine)
                    {
                        line.Add(one[0]);
                    }
                    else
                    {
                        tooLong = true;
                    }

                    continue;
                }

                break;
            }
        }
        catch (Postern.Storage.MailboxException e) when (read is not null)
        {
            // The selected mailbox was deleted by another session (RFC 3501 7.1.5 allows BYE here).
            connection.WriteLine("* BYE Selected mailbox no longer exists");
            await connection.FlushAsync(ct).ConfigureAwait(false);
            throw new IOException("The selected mailbox was deleted while idling.", e);
        }
        catch (Exception e) when (read is not null && e is not (IOException or OperationCanceledException))
        {
            // A failure while a read is still pending (e.g. the mailbox was deleted under us): the
            // read would race the next command's, so the connection cannot carry on.
            throw new IOException("IDLE failed with a read pending.", e);
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
        }

        Log.IdleEnded(session.Log);
        string text = Encoding.ASCII.GetString([.. line]).TrimEnd('\r');
        if (tooLong || !text.Equals("DONE", StringComparison.OrdinalIgnoreCase))
        {
            // RFC 2177 3: only DONE ends IDLE; anything else is an error and ends it too.
            throw ImapException.Bad("Expected DONE");
        }

        session.Ok(command.Tag, "IDLE terminated");
    }
}
