namespace Postern.Pop3.Session;

/// <summary>The session states of RFC 1939 section 3.</summary>
[Flags]
internal enum Pop3State
{
    /// <summary>Greeting sent; the client must identify itself (after STLS on port 110).</summary>
    Authorization = 1,

    /// <summary>Logged in, maildrop locked: STAT, LIST, RETR, DELE...</summary>
    Transaction = 2,

    /// <summary>QUIT was received in TRANSACTION: deletions are being applied, then the session ends.</summary>
    Update = 4,
}
