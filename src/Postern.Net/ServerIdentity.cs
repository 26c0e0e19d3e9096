namespace Postern.Net;

/// <summary>What a protocol says about the server: its host name (greetings, EHLO, Received headers).</summary>
public sealed record ServerIdentity(string Hostname);
