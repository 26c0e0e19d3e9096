using Postern.Pop3.Commands;
using Postern.Pop3.Parsing;

namespace Postern.Pop3.Session;

/// <summary>Runs one parsed command; the positive reply is written by the command itself.</summary>
internal delegate ValueTask<CommandResult> CommandHandler(Pop3Session session, Pop3Command command, CancellationToken ct);

/// <summary>A command and the states it is valid in.</summary>
internal sealed record CommandSpec(Pop3State States, CommandHandler Execute);

/// <summary>
/// The state table: which command is allowed in which state (RFC 1939 sections 4-6, RFC 2449
/// CAPA in both states, RFC 2595 STLS and RFC 5034 AUTH in AUTHORIZATION only). APOP is absent
/// on purpose: it needs a plaintext-equivalent secret on the server.
/// </summary>
internal static class CommandTable
{
    private const Pop3State Authorization = Pop3State.Authorization;
    private const Pop3State Transaction = Pop3State.Transaction;

    private static readonly Dictionary<string, CommandSpec> Commands = new(StringComparer.Ordinal)
    {
        ["CAPA"] = new(Authorization | Transaction, CapaCommand.ExecuteAsync),
        ["QUIT"] = new(Authorization | Transaction, QuitCommand.ExecuteAsync),
        ["STLS"] = new(Authorization, StlsCommand.ExecuteAsync),
        ["USER"] = new(Authorization, UserPassCommands.UserAsync),
        ["PASS"] = new(Authorization, UserPassCommands.PassAsync),
        ["AUTH"] = new(Authorization, AuthCommand.ExecuteAsync),
        ["STAT"] = new(Transaction, StatCommand.ExecuteAsync),
        ["LIST"] = new(Transaction, ListUidlCommands.ListAsync),
        ["UIDL"] = new(Transaction, ListUidlCommands.UidlAsync),
        ["RETR"] = new(Transaction, RetrTopCommands.RetrAsync),
        ["TOP"] = new(Transaction, RetrTopCommands.TopAsync),
        ["DELE"] = new(Transaction, DeleCommand.ExecuteAsync),
        ["NOOP"] = new(Transaction, NoopRsetCommands.NoopAsync),
        ["RSET"] = new(Transaction, NoopRsetCommands.RsetAsync),
    };

    /// <summary>Looks up an upper-case keyword.</summary>
    public static bool TryGet(string keyword, out CommandSpec spec) => Commands.TryGetValue(keyword, out spec!);
}
