namespace Postern.Smtp.Parsing;

/// <summary>
/// Mail loop detection by counting Received header fields (RFC 5321 6.3: "simple counting of the
/// number of Received: header fields ... is an effective method of detecting loops"). Postfix's
/// rule, which we follow: hopcount_limit = 50, and the count includes the Received header this
/// server adds, so a message is refused once that total reaches the limit (cleanup(8) rejects
/// with "554 too many hops"; we give the RFC 3463 section 3.5 code X.4.6 "routing loop detected").
/// Only the top-level header counts; Received fields of attached messages are content.
/// </summary>
internal sealed class HopCounter
{
    private readonly int _limit;
    private bool _inHeader = true;

    /// <param name="limit">Largest total allowed is limit - 1 (Postfix counts with "&gt;=").</param>
    public HopCounter(int limit)
    {
        _limit = limit;
        Count = 1; // Ours, prepended before the client's data.
    }

    public int Count { get; private set; }

    public bool Exceeded => Count >= _limit;

    /// <summary>Feeds one unstuffed data line without its line ending.</summary>
    public void Line(ReadOnlySpan<byte> line)
    {
        if (!_inHeader)
        {
            return;
        }

        if (line.Length == 0)
        {
            _inHeader = false;
            return;
        }

        if (IsReceivedField(line))
        {
            Count++;
        }
    }

    /// <summary>"Received" then optional WSP then ":" (RFC 5322 3.6.7; obsolete syntax allows the WSP).</summary>
    private static bool IsReceivedField(ReadOnlySpan<byte> line)
    {
        ReadOnlySpan<byte> name = "received"u8;
        if (line.Length <= name.Length)
        {
            return false;
        }

        for (int i = 0; i < name.Length; i++)
        {
            if ((line[i] | 0x20) != name[i])
            {
                return false;
            }
        }

        int j = name.Length;
        while (j < line.Length && line[j] is (byte)' ' or (byte)'\t')
        {
            j++;
        }

        return j < line.Length && line[j] == (byte)':';
    }
}
