using Postern.Pop3.Parsing;
using Postern.Pop3.Session;
using Postern.Storage;

namespace Postern.Pop3.Commands;

/// <summary>
/// LIST (RFC 1939 section 5, scan listings "n size") and UIDL (section 7, unique-id listings
/// "n id"). Both take an optional message number; deleted messages are left out of the listing.
/// </summary>
internal static class ListUidlCommands
{
    public static ValueTask<CommandResult> ListAsync(Pop3Session session, Pop3Command command, CancellationToken ct) =>
        RunAsync(session, command, static (_, m) => m.Size.ToString(System.Globalization.CultureInfo.InvariantCulture), ct);

    public static ValueTask<CommandResult> UidlAsync(Pop3Session session, Pop3Command command, CancellationToken ct) =>
        RunAsync(session, command, static (drop, m) => drop.UniqueId(m), ct);

    private static async ValueTask<CommandResult> RunAsync(Pop3Session session, Pop3Command command, Func<Maildrop, MessageInfo, string> describe, CancellationToken ct)
    {
        var drop = session.Maildrop!;
        var c = session.Connection;
        switch (command.Arguments.Count)
        {
            case 0:
                var (count, size) = drop.Totals();
                c.WriteLine($"+OK {count} messages ({size} octets)");
                foreach (var (number, message) in drop.Live())
                {
                    c.WriteLine($"{number} {describe(drop, message)}");
                    // Lets a very large maildrop's listing go out in 64 KiB pieces.
                    await c.WriteAsync(ReadOnlyMemory<byte>.Empty, ct).ConfigureAwait(false);
                }

                c.WriteLine(".");
                return CommandResult.Ok;
            case 1:
                if (MessageArgument.Resolve(drop, command.Arguments[0], out int n, out var one) is { } error)
                {
                    return error;
                }

                c.WriteLine($"+OK {n} {describe(drop, one)}");
                return CommandResult.Ok;
            default:
                return CommandResult.Error(Replies.Syntax);
        }
    }
}
