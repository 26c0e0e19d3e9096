using Postern.Pop3.Parsing;
using Postern.Pop3.Session;

namespace Postern.Pop3.Commands;

/// <summary>
/// DELE (RFC 1939 section 5): only marks the message; nothing is removed before QUIT enters
/// UPDATE, so a dropped connection loses no mail.
/// </summary>
internal static class DeleCommand
{
    public static ValueTask<CommandResult> ExecuteAsync(Pop3Session session, Pop3Command command, CancellationToken ct)
    {
        if (command.Arguments.Count != 1)
        {
            return ValueTask.FromResult(CommandResult.Error(Replies.Syntax));
        }

        var drop = session.Maildrop!;
        if (MessageArgument.Resolve(drop, command.Arguments[0], out int number, out _) is { } error)
        {
            return ValueTask.FromResult(error);
        }

        drop.MarkDeleted(number);
        session.Connection.WriteLine($"+OK message {number} deleted");
        return ValueTask.FromResult(CommandResult.Ok);
    }
}
