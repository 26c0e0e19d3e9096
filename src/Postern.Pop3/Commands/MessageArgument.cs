using Postern.Pop3.Parsing;
using Postern.Pop3.Session;
using Postern.Storage;

namespace Postern.Pop3.Commands;

/// <summary>Resolves a message-number argument against the session's maildrop.</summary>
internal static class MessageArgument
{
    /// <summary>Returns null and the message when <paramref name="text"/> names a live message; else the error to send.</summary>
    public static CommandResult? Resolve(Maildrop maildrop, string text, out int number, out MessageInfo message)
    {
        message = null!;
        switch (NumberParser.Parse(text, 1, int.MaxValue, out number))
        {
            case NumberStatus.Invalid:
                return CommandResult.Error("Invalid message number");
            case NumberStatus.OutOfRange:
                return CommandResult.Error(Replies.NoSuchMessage);
        }

        return maildrop.Find(number, out message) switch
        {
            Maildrop.Lookup.Found => null,
            Maildrop.Lookup.Deleted => CommandResult.Error(Replies.AlreadyDeleted(number)),
            _ => CommandResult.Error(Replies.NoSuchMessage),
        };
    }
}
