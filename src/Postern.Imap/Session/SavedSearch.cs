using System.Runtime.CompilerServices;

namespace Postern.Imap.Session;

/// <summary>
/// The SEARCHRES saved result "$" (RFC 5182). It belongs to one selected mailbox: it is kept per
/// <see cref="SelectedMailbox"/> object, and SELECT, EXAMINE, UNSELECT and CLOSE replace or drop
/// that object, which empties "$" as RFC 5182 2.1 requires without any code in those commands.
/// It is stored as UID ranges: UIDs survive expunges (an expunged message simply drops out) and
/// ranges keep "1:4294967295" cheap.
/// </summary>
public static class SavedSearch
{
    private static readonly ConditionalWeakTable<SelectedMailbox, Holder> Results = new();

    /// <summary>The command now running and whether it numbers by UID, so "$" can be resolved inside it.</summary>
    private static readonly AsyncLocal<Scope?> Current = new();

    private sealed class Holder
    {
        public List<(uint From, uint To)> Uids { get; set; } = [];
    }

    private sealed record Scope(SelectedMailbox Box, bool ByUid);

    /// <summary>The saved UID ranges (sorted, disjoint); empty when nothing was saved.</summary>
    public static List<(uint From, uint To)> Get(SelectedMailbox box) =>
        Results.TryGetValue(box, out var h) ? h.Uids : [];

    /// <summary>Saves the given messages, which must be in mailbox order (ascending UIDs).</summary>
    public static void Save(SelectedMailbox box, IEnumerable<int> indexes)
    {
        // Runs of neighbouring messages become one UID range; no other message can lie inside it,
        // and new messages always get higher UIDs, so the range never grows by itself.
        var ranges = new List<(uint From, uint To)>();
        int previous = -2;
        foreach (int i in indexes)
        {
            uint uid = box.Messages[i].Uid;
            if (i == previous + 1 && ranges.Count > 0)
            {
                ranges[^1] = (ranges[^1].From, uid);
            }
            else
            {
                ranges.Add((uid, uid));
            }

            previous = i;
        }

        Results.AddOrUpdate(box, new Holder { Uids = ranges });
    }

    /// <summary>RFC 5182 2.1: a failed SEARCH ... RETURN (SAVE) leaves "$" empty.</summary>
    public static void Clear(SelectedMailbox box) => Results.AddOrUpdate(box, new Holder());

    /// <summary>Runs a command with "$" resolvable inside it (see <see cref="ResolveCurrent"/>).</summary>
    public static async Task RunAsync(ImapSession session, bool byUid, Func<Task> command)
    {
        Current.Value = session.Selected is { } box ? new Scope(box, byUid) : null;
        try
        {
            await command().ConfigureAwait(false);
        }
        finally
        {
            Current.Value = null;
        }
    }

    /// <summary>"$" as sorted, merged ranges for the running command: UIDs, or message numbers.</summary>
    public static List<(uint From, uint To)> ResolveCurrent()
    {
        if (Current.Value is not { } scope)
        {
            return [];
        }

        var uids = Get(scope.Box);
        return scope.ByUid ? [.. uids] : ToSequenceNumbers(scope.Box, uids);
    }

    /// <summary>
    /// UID ranges to message-number ranges. Numbers grow with UIDs, so each UID range maps to one
    /// number range found by two binary searches; nothing is expanded.
    /// </summary>
    public static List<(uint From, uint To)> ToSequenceNumbers(SelectedMailbox box, List<(uint From, uint To)> uids)
    {
        var result = new List<(uint From, uint To)>(uids.Count);
        foreach (var (from, to) in uids)
        {
            int first = LowerBound(box.Messages, from);
            int last = to == uint.MaxValue ? box.Messages.Count - 1 : LowerBound(box.Messages, to + 1) - 1;
            if (first <= last)
            {
                uint a = (uint)first + 1, b = (uint)last + 1;
                if (result.Count > 0 && result[^1].To + 1 >= a)
                {
                    result[^1] = (result[^1].From, b);
                }
                else
                {
                    result.Add((a, b));
                }
            }
        }

        return result;
    }

    /// <summary>The first index whose UID is at least <paramref name="uid"/>, or the count.</summary>
    private static int LowerBound(List<Postern.Storage.MessageInfo> messages, uint uid)
    {
        int lo = 0, hi = messages.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (messages[mid].Uid < uid)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}
