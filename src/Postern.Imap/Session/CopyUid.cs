using System.Text;
using Postern.Storage;

namespace Postern.Imap.Session;

/// <summary>The COPYUID response code (RFC 4315 3): source and target UID sets in corresponding order.</summary>
public static class CopyUid
{
    /// <summary>"[COPYUID validity source target]", or "" when nothing was copied (RFC 4315 3 sends none then).</summary>
    public static string Code(CopyResult result)
    {
        if (result.SourceUids.Count == 0)
        {
            return "";
        }

        // Both lists ascend and pair up by position, so each side collapses into "a:b" runs on its own.
        string source = Format(result.SourceUids);
        string target = Format(result.TargetUids);
        return $"[COPYUID {result.TargetUidValidity} {source} {target}] ";
    }

    private static string Format(IReadOnlyList<uint> uids)
    {
        var sb = new StringBuilder();
        int i = 0;
        while (i < uids.Count)
        {
            int j = i;
            while (j + 1 < uids.Count && uids[j + 1] == uids[j] + 1)
            {
                j++;
            }

            Append(sb, uids[i], uids[j]);
            i = j + 1;
        }

        return sb.ToString();
    }

    private static void Append(StringBuilder sb, uint from, uint to)
    {
        if (sb.Length > 0)
        {
            sb.Append(',');
        }

        sb.Append(from);
        if (to != from)
        {
            sb.Append(':').Append(to);
        }
    }
}
