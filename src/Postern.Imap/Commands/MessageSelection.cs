using Postern.Imap.Parsing;
using Postern.Imap.Session;

namespace Postern.Imap.Commands;

/// <summary>Resolves a sequence set to the UIDs of the selected mailbox's view (MSNs or UIDs).</summary>
internal static class MessageSelection
{
    public static List<uint> Uids(SelectedMailbox box, SequenceSet set, bool byUid)
    {
        var ranges = set.Resolve(byUid ? box.MaxUid : (uint)box.Messages.Count);
        var uids = new List<uint>();
        for (int i = 0; i < box.Messages.Count; i++)
        {
            if (SequenceSet.Contains(ranges, byUid ? box.Messages[i].Uid : (uint)(i + 1)))
            {
                uids.Add(box.Messages[i].Uid);
            }
        }

        return uids;
    }
}
