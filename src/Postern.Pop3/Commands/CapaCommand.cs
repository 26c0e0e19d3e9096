using Postern.Pop3.Parsing;
using Postern.Pop3.Session;

namespace Postern.Pop3.Commands;

/// <summary>CAPA (RFC 2449 section 5): what this session can do right now.</summary>
internal static class CapaCommand
{
    public static ValueTask<CommandResult> ExecuteAsync(Pop3Session session, Pop3Command command, CancellationToken ct)
    {
        if (command.Arguments.Count != 0)
        {
            return ValueTask.FromResult(CommandResult.Error(Replies.Syntax));
        }

        var c = session.Connection;
        c.WriteLine("+OK Capability list follows");
        c.WriteLine("TOP");
        c.WriteLine("UIDL");
        if (c.IsTls)
        {
            // Credentials are only announced where they may be sent (RFC 2595 section 4).
            c.WriteLine("USER");
            c.WriteLine("SASL PLAIN");
        }
        else if (c.CanStartTls && session.State == Pop3State.Authorization)
        {
            c.WriteLine("STLS");
        }

        c.WriteLine("RESP-CODES");
        c.WriteLine("AUTH-RESP-CODE");
        c.WriteLine("PIPELINING");
        // Messages stay until the client deletes them (RFC 2449 section 6.7).
        c.WriteLine("EXPIRE NEVER");
        c.WriteLine("IMPLEMENTATION Postern");
        c.WriteLine(".");
        return ValueTask.FromResult(CommandResult.Ok);
    }
}
