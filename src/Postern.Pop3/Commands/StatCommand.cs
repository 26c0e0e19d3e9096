using Postern.Pop3.Parsing;
using Postern.Pop3.Session;

namespace Postern.Pop3.Commands;

/// <summary>STAT (RFC 1939 section 5): count and size of the messages not marked deleted.</summary>
internal static class StatCommand
{
    public static ValueTask<CommandResult> ExecuteAsync(Pop3Session session, Pop3Command command, CancellationToken ct)
    {
        if (command.Arguments.Count != 0)
        {
            return ValueTask.FromResult(CommandResult.Error(Replies.Syntax));
        }

        var (count, size) = session.Maildrop!.Totals();
        session.Connection.WriteLine($"+OK {count} {size}");
        return ValueTask.FromResult(CommandResult.Ok);
    }
}
