namespace Postern.Cli;

/// <summary>A mistake the user can fix; printed as one sentence on stderr, never as a stack trace.</summary>
public sealed class UserError(string message) : Exception(message);
