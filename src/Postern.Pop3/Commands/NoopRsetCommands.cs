using Postern.Pop3.Parsing;
using Postern.Pop3.Session;

namespace Postern.Pop3.Commands;

/// <summary>NOOP and RSET (RFC 1939 section 5).</summary>
internal static class NoopRsetCommands
{
    public static ValueTask<CommandResult> NoopAsync(Pop3Session session, Pop3Command command, CancellationToken ct)
    {
        if (command.Arguments.Count != 0)
        {
            return ValueTask.FromResult(CommandResult.Error(Replies.Syntax));
        }

        session.Connection.WriteLine("+OK");
        return ValueTask.FromResult(CommandResult.Ok);
    }

    /// <summary>Unmarks every message marked by DELE in this session.</summary>
    public static ValueTask<CommandResult> RsetAsync(Pop3Session session, Pop3Command command, CancellationToken ct)
    {
        if (command.Arguments.Count != 0)
        {
            return ValueTask.FromResult(CommandResult.Error(Replies.Syntax));
        }

        var drop = session.Maildrop!;
        drop.UndeleteAll();
        var (count, size) = drop.Totals();
        session.Connection.WriteLine($"+OK maildrop has {count} messages ({size} octets)");
        return ValueTask.FromResult(CommandResult.Ok);
    }
}
