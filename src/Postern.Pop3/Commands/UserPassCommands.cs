using Postern.Pop3.Parsing;
using Postern.Pop3.Session;

namespace Postern.Pop3.Commands;

/// <summary>USER and PASS (RFC 1939 section 7), over TLS only.</summary>
internal static class UserPassCommands
{
    public static ValueTask<CommandResult> UserAsync(Pop3Session session, Pop3Command command, CancellationToken ct)
    {
        if (session.RefuseWithoutTls() is { } refusal)
        {
            return ValueTask.FromResult(refusal);
        }

        if (command.Arguments.Count != 1)
        {
            return ValueTask.FromResult(CommandResult.Error(Replies.Syntax));
        }

        // Always +OK: whether the user exists is only revealed (never, in fact) after PASS.
        session.PendingUser = command.Arguments[0];
        session.Connection.WriteLine("+OK Send PASS");
        return ValueTask.FromResult(CommandResult.Ok);
    }

    public static async ValueTask<CommandResult> PassAsync(Pop3Session session, Pop3Command command, CancellationToken ct)
    {
        if (session.RefuseWithoutTls() is { } refusal)
        {
            return refusal;
        }

        var user = session.PendingUser;
        session.PendingUser = null;
        if (user is null)
        {
            return CommandResult.Error("Send USER first");
        }

        // RFC 1939 section 7: PASS has one argument, so spaces belong to the password.
        if (command.Rest.Length == 0)
        {
            return CommandResult.Error(Replies.Syntax);
        }

        return await session.LoginAsync(user, command.Rest, "USER", ct).ConfigureAwait(false);
    }
}
