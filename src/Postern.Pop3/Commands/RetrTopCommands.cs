using System.Buffers;
using Postern.Pop3.Parsing;
using Postern.Pop3.Session;

namespace Postern.Pop3.Commands;

/// <summary>
/// RETR (RFC 1939 section 5) and TOP (section 7): stream a stored message, dot-stuffed, in
/// fixed-size chunks; a message is never held in memory whole.
/// </summary>
internal static class RetrTopCommands
{
    private const int ChunkSize = 16 * 1024;

    public static ValueTask<CommandResult> RetrAsync(Pop3Session session, Pop3Command command, CancellationToken ct)
    {
        if (command.Arguments.Count != 1)
        {
            return ValueTask.FromResult(CommandResult.Error(Replies.Syntax));
        }

        return SendAsync(session, command.Arguments[0], bodyLines: null, ct);
    }

    public static ValueTask<CommandResult> TopAsync(Pop3Session session, Pop3Command command, CancellationToken ct)
    {
        if (command.Arguments.Count != 2)
        {
            return ValueTask.FromResult(CommandResult.Error(Replies.Syntax));
        }

        // The line count is non-negative (0 means headers only); no overflow, no sign.
        if (NumberParser.Parse(command.Arguments[1], 0, int.MaxValue, out int lines) != NumberStatus.Ok)
        {
            return ValueTask.FromResult(CommandResult.Error("Invalid line count"));
        }

        return SendAsync(session, command.Arguments[0], lines, ct);
    }

    private static async ValueTask<CommandResult> SendAsync(Pop3Session session, string numberText, int? bodyLines, CancellationToken ct)
    {
        var drop = session.Maildrop!;
        if (MessageArgument.Resolve(drop, numberText, out int number, out var message) is { } error)
        {
            return error;
        }

        // Open before answering +OK: once +OK is out, the only way to report a failure is to close.
        var body = await session.Store.OpenMessageAsync(drop.Mailbox.Id, message.Uid, ct).ConfigureAwait(false);
        if (body is null)
        {
            // Removed meanwhile by another protocol (IMAP EXPUNGE); the lock only covers POP3.
            session.Log.MessageVanished(message.Uid, session.Account!.Address);
            return CommandResult.Error($"message {number} is no longer available");
        }

        await using (body.ConfigureAwait(false))
        {
            var c = session.Connection;
            c.WriteLine(bodyLines is null ? $"+OK {message.Size} octets" : "+OK top of message follows");
            var stuffer = new DotStuffer(bodyLines);
            var input = ArrayPool<byte>.Shared.Rent(ChunkSize);
            var output = new ArrayBufferWriter<byte>(ChunkSize * 2);
            try
            {
                while (!stuffer.Done)
                {
                    int n = await body.ReadAsync(input.AsMemory(0, ChunkSize), ct).ConfigureAwait(false);
                    if (n == 0)
                    {
                        break;
                    }

                    output.ResetWrittenCount();
                    stuffer.Append(input.AsSpan(0, n), output);
                    await c.WriteAsync(output.WrittenMemory, ct).ConfigureAwait(false);
                }

                output.ResetWrittenCount();
                stuffer.Complete(output);
                await c.WriteAsync(output.WrittenMemory, ct).ConfigureAwait(false);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(input);
            }
        }

        return CommandResult.Ok;
    }
}
