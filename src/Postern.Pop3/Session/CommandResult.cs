namespace Postern.Pop3.Session;

/// <summary>What a command did, so the session loop can count errors and end the session.</summary>
internal readonly record struct CommandResult(CommandOutcome Outcome, string? ErrorText)
{
    /// <summary>The command wrote its own positive response.</summary>
    public static readonly CommandResult Ok = new(CommandOutcome.Ok, null);

    /// <summary>The command wrote its response (or none) and the session must end.</summary>
    public static readonly CommandResult Close = new(CommandOutcome.Close, null);

    /// <summary>
    /// A negative response: the session writes "-ERR " + <paramref name="text"/> and counts it.
    /// The text is fixed by the server and never echoes client input.
    /// </summary>
    public static CommandResult Error(string text) => new(CommandOutcome.Error, text);
}

internal enum CommandOutcome
{
    Ok,
    Error,
    Close,
}
