using Postern.Storage;

namespace Postern.Imap.Session;

/// <summary>
/// The session's view of the selected mailbox: the MSN→UID map (index + 1 is the message sequence
/// number) as last reported to the client. It changes only when the client has been told
/// (RFC 3501 7.4.1: no EXPUNGE during FETCH, STORE or SEARCH), i.e. at SELECT, NOOP, CHECK and EXPUNGE.
/// </summary>
public sealed class SelectedMailbox
{
    private readonly Dictionary<uint, CachedStructure> _cache = [];
    private readonly int _cacheSize;

    public SelectedMailbox(MailboxInfo info, bool readOnly, IReadOnlyList<MessageInfo> messages, int cacheSize)
    {
        Info = info;
        ReadOnly = readOnly;
        Messages = [.. messages];
        _cacheSize = cacheSize;
        HighestModSeq = info.HighestModSeq;
        Keywords = [.. info.Keywords];
        foreach (var m in messages)
        {
            AddKeywords(m.Keywords);
        }
    }

    /// <summary>Keywords the client has been told about in FLAGS (RFC 3501 7.2.6), in first-seen order.</summary>
    public List<string> Keywords { get; }

    /// <summary>The FLAGS list: system flags and every keyword of the mailbox.</summary>
    public string FlagList => "(\\Answered \\Flagged \\Deleted \\Seen \\Draft" + string.Concat(Keywords.Select(k => " " + k)) + ")";

    /// <summary>PERMANENTFLAGS: "\*" says clients may create keywords (RFC 3501 7.1).</summary>
    public string PermanentFlagList => ReadOnly
        ? "()"
        : "(\\Answered \\Flagged \\Deleted \\Seen \\Draft" + string.Concat(Keywords.Select(k => " " + k)) + " \\*)";

    /// <summary>
    /// Sends FLAGS and PERMANENTFLAGS again when <paramref name="messages"/> carry keywords the
    /// client has not seen yet (RFC 3501 7.2.6: FLAGS is sent when the applicable flags change).
    /// </summary>
    public void AnnounceKeywords(IEnumerable<MessageInfo> messages, Action<string> untagged)
    {
        bool added = false;
        foreach (var m in messages)
        {
            added |= AddKeywords(m.Keywords);
        }

        if (added)
        {
            untagged("FLAGS " + FlagList);
            untagged("OK [PERMANENTFLAGS " + PermanentFlagList + "] Flags permitted");
        }
    }

    private bool AddKeywords(IReadOnlyList<string> keywords)
    {
        bool added = false;
        foreach (string k in keywords)
        {
            if (!Keywords.Contains(k, StringComparer.OrdinalIgnoreCase))
            {
                Keywords.Add(k);
                added = true;
            }
        }

        return added;
    }

    public MailboxInfo Info { get; }

    public bool ReadOnly { get; }

    /// <summary>
    /// Whether this session has \Recent at all: rev1 sessions do, rev2 sessions do not (RFC 9051
    /// dropped it), and they neither see nor take recent messages.
    /// </summary>
    public bool TracksRecent { get; init; }

    // The UIDs recent to this session (RFC 3501 2.3.2), as ascending half-open ranges taken from
    // the store (IMailStore.ClaimRecentAsync); claims by this session alone are adjacent and merge.
    private readonly List<(uint From, uint To)> _recent = [];

    // The RECENT count the client was last told, so RECENT is sent again only when it changes.
    private int _reportedRecent;

    /// <summary>Adds UIDs from <paramref name="from"/> up to below <paramref name="to"/> to this session's recent ones.</summary>
    public void AddRecent(uint from, uint to)
    {
        if (!TracksRecent || from == 0 || to <= from)
        {
            return;
        }

        if (_recent.Count > 0 && _recent[^1].To >= from)
        {
            _recent[^1] = (_recent[^1].From, Math.Max(_recent[^1].To, to));
        }
        else
        {
            _recent.Add((from, to));
        }
    }

    public bool IsRecent(uint uid)
    {
        foreach (var (from, to) in _recent)
        {
            if (uid >= from && uid < to)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>How many messages in the view are recent to this session (RFC 3501 7.3.2 RECENT).</summary>
    public int RecentCount
    {
        get
        {
            int count = 0;
            foreach (var (from, to) in _recent)
            {
                count += LowerBound(to) - LowerBound(from);
            }

            return count;
        }
    }

    /// <summary>Writes "n RECENT" when the count differs from what the client was last told (or always, for SELECT).</summary>
    public void ReportRecent(Action<string> untagged, bool always = false)
    {
        if (TracksRecent && (always || RecentCount != _reportedRecent))
        {
            _reportedRecent = RecentCount;
            untagged($"{_reportedRecent} RECENT");
        }
    }

    /// <summary>The index of the first message whose UID is at least <paramref name="uid"/>.</summary>
    private int LowerBound(uint uid)
    {
        int lo = 0, hi = Messages.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (Messages[mid].Uid < uid)
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

    /// <summary>The message's flag list as this session shows it: \Recent included when it is recent here.</summary>
    public string Flags(MessageInfo message) => ImapText.Flags(message, IsRecent(message.Uid));

    /// <summary>
    /// The mailbox's HIGHESTMODSEQ as of the last full look at the store (SELECT, refresh): every
    /// change up to it has been reported to the client (RFC 7162 3.1.2.1).
    /// </summary>
    public ulong HighestModSeq { get; set; }

    /// <summary>Messages in ascending UID order; index i is MSN i + 1.</summary>
    public List<MessageInfo> Messages { get; private set; }

    public uint MaxUid => Messages.Count == 0 ? 0 : Messages[^1].Uid;

    /// <summary>The index of <paramref name="uid"/> in <see cref="Messages"/>, or -1 (binary search: UIDs ascend).</summary>
    public int IndexOfUid(uint uid)
    {
        int lo = 0, hi = Messages.Count - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            uint u = Messages[mid].Uid;
            if (u == uid)
            {
                return mid;
            }

            if (u < uid)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return -1;
    }

    /// <summary>Records new flags of a message this session changed itself.</summary>
    public void Update(MessageInfo info)
    {
        int i = IndexOfUid(info.Uid);
        if (i >= 0)
        {
            Messages[i] = info;
        }
    }

    /// <summary>
    /// Replaces the view with the store's current list and writes what changed: EXPUNGE for each
    /// vanished message (ascending, each number valid at the moment it is sent, RFC 3501 7.4.1),
    /// EXISTS when the count differs, and FETCH FLAGS for changed flags.
    /// </summary>
    public void Apply(IReadOnlyList<MessageInfo> current, Action<string> untagged) => Apply(current, untagged, false, false);

    /// <summary>
    /// Like <see cref="Apply(IReadOnlyList{MessageInfo}, Action{string})"/>; with CONDSTORE on, flag
    /// changes carry UID and MODSEQ (RFC 7162 3.1: all later untagged FETCH responses do) and a
    /// changed MODSEQ alone is reported too; with QRESYNC on, one "VANISHED uid-set" replaces the
    /// EXPUNGE responses (RFC 7162 3.2.10).
    /// </summary>
    public void Apply(IReadOnlyList<MessageInfo> current, Action<string> untagged, bool condStore, bool qresync)
    {
        var old = Messages;
        int removed = 0;
        int j = 0;
        var flagChanges = new List<(int Msn, MessageInfo Message)>();
        var vanished = new List<uint>();
        var next = new List<MessageInfo>(current.Count);
        for (int i = 0; i < old.Count; i++)
        {
            while (j < current.Count && current[j].Uid < old[i].Uid)
            {
                j++;
            }

            if (j < current.Count && current[j].Uid == old[i].Uid)
            {
                next.Add(current[j]);
                bool flagsDiffer = current[j].Flags != old[i].Flags || !current[j].Keywords.SequenceEqual(old[i].Keywords, StringComparer.OrdinalIgnoreCase);
                if (flagsDiffer || (condStore && current[j].ModSeq != old[i].ModSeq))
                {
                    flagChanges.Add((i + 1 - removed, current[j]));
                }
            }
            else if (qresync)
            {
                vanished.Add(old[i].Uid);
                removed++;
            }
            else
            {
                untagged($"{i + 1 - removed} EXPUNGE");
                removed++;
            }
        }

        if (vanished.Count > 0)
        {
            // Without (EARLIER): the client removes these UIDs and renumbers (RFC 7162 3.2.10).
            untagged("VANISHED " + UidSetText.Format(vanished));
        }

        // New messages always have UIDs above the old maximum (UIDs only ascend). EXPUNGE already
        // told the client the count went down, so EXISTS is only needed when it grew.
        uint oldMax = MaxUid;
        int survivors = old.Count - removed;
        // Only survivors and UIDs above the old maximum: a lower UID we never announced (a store
        // committing out of order) must not shift the numbers the client already has.
        int before = next.Count;
        next.AddRange(current.Where(m => m.Uid > oldMax));
        int added = next.Count - before;
        Messages = next;
        if (added > 0)
        {
            untagged($"{survivors + added} EXISTS");
            ReportRecent(untagged);
        }

        AnnounceKeywords(next, untagged);
        foreach (var (msn, message) in flagChanges)
        {
            untagged($"{msn} FETCH ({FlagData(message, condStore, withUid: condStore)})");
        }
    }

    /// <summary>
    /// Like <see cref="Apply(IReadOnlyList{MessageInfo}, Action{string}, bool, bool)"/>, from the
    /// changes since <see cref="HighestModSeq"/> instead of the whole list: <paramref name="changed"/>
    /// holds the messages with a higher MODSEQ (ascending UIDs), <paramref name="expunged"/> the UIDs
    /// expunged since. It writes exactly what the full Apply writes for the same store state, and
    /// costs O(changes · log n) unless messages vanish (then one pass to renumber).
    /// </summary>
    /// <remarks>
    /// Messages not in <paramref name="changed"/> have not changed since the view was read (their
    /// MODSEQ would have risen), so they need no comparison. A changed message may already be in
    /// the view (the view can be newer than <see cref="HighestModSeq"/>); it is reported only if it
    /// differs from what the client has, as in the full Apply.
    /// </remarks>
    public void ApplyChanges(IReadOnlyList<MessageInfo> changed, IReadOnlyList<uint> expunged, Action<string> untagged, bool condStore, bool qresync)
    {
        var old = Messages;
        uint oldMax = MaxUid;

        // Expunged messages the client still has, ascending (EXPUNGE numbers are valid when sent, RFC 3501 7.4.1).
        var goneIndexes = new List<int>();
        foreach (uint uid in expunged)
        {
            int i = IndexOfUid(uid);
            if (i >= 0)
            {
                goneIndexes.Add(i);
            }
        }

        goneIndexes.Sort();
        var next = old;
        if (goneIndexes.Count > 0)
        {
            if (qresync)
            {
                // Without (EARLIER): the client removes these UIDs and renumbers (RFC 7162 3.2.10).
                untagged("VANISHED " + UidSetText.Format([.. goneIndexes.Select(i => old[i].Uid)]));
            }
            else
            {
                for (int k = 0; k < goneIndexes.Count; k++)
                {
                    untagged($"{goneIndexes[k] + 1 - k} EXPUNGE");
                }
            }

            next = new List<MessageInfo>(old.Count - goneIndexes.Count + changed.Count);
            int g = 0;
            for (int i = 0; i < old.Count; i++)
            {
                if (g < goneIndexes.Count && goneIndexes[g] == i)
                {
                    g++;
                    continue;
                }

                next.Add(old[i]);
            }
        }

        Messages = next;
        int survivors = next.Count;
        var flagChanges = new List<(int Msn, MessageInfo Message)>();
        var seen = new List<MessageInfo>();
        var added = new List<MessageInfo>();
        foreach (var m in changed)
        {
            if (m.Uid > oldMax)
            {
                // New messages always have UIDs above the old maximum (UIDs only ascend).
                added.Add(m);
                continue;
            }

            // A lower UID the client never had (a store committing out of order) is left out, as in
            // the full Apply: it must not shift the numbers the client already has.
            int i = IndexOfUid(m.Uid);
            if (i < 0)
            {
                continue;
            }

            var before = next[i];
            next[i] = m;
            seen.Add(m);
            bool flagsDiffer = m.Flags != before.Flags || !m.Keywords.SequenceEqual(before.Keywords, StringComparer.OrdinalIgnoreCase);
            if (flagsDiffer || (condStore && m.ModSeq != before.ModSeq))
            {
                flagChanges.Add((i + 1, m));
            }
        }

        next.AddRange(added);
        if (added.Count > 0)
        {
            // EXPUNGE already told the client the count went down, so EXISTS is only needed when it grew.
            untagged($"{survivors + added.Count} EXISTS");
            ReportRecent(untagged);
        }

        // Only changed or new messages can carry keywords the client has not seen.
        AnnounceKeywords(seen.Concat(added), untagged);
        foreach (var (msn, message) in flagChanges)
        {
            untagged($"{msn} FETCH ({FlagData(message, condStore, withUid: condStore)})");
        }
    }

    /// <summary>
    /// "FLAGS (...)", plus " UID u" when asked, plus " MODSEQ (m)" under CONDSTORE, which every FETCH
    /// response carrying flags includes once CONDSTORE is on (RFC 7162 3.1.4).
    /// </summary>
    public string FlagData(MessageInfo message, bool condStore, bool withUid) =>
        "FLAGS " + Flags(message) + (withUid ? " UID " + message.Uid : "") + (condStore ? $" MODSEQ ({message.ModSeq})" : "");

    public bool TryGetCached(uint uid, out CachedStructure cached) => _cache.TryGetValue(uid, out cached!);

    public void Cache(uint uid, CachedStructure cached)
    {
        // A crude bound: forget everything when full. Parses are cheap compared to the I/O they save.
        if (_cache.Count >= _cacheSize)
        {
            ClearCache();
        }

        _cache[uid] = cached;
    }

    /// <summary>How many structures the session cache holds at most.</summary>
    public int CacheSize => _cacheSize;

    /// <summary>Adds structures read from the store's cache, making room first so none of them is dropped before it is used.</summary>
    public void CacheMany(IEnumerable<KeyValuePair<uint, CachedStructure>> structures, int count)
    {
        if (_cache.Count + count > _cacheSize)
        {
            ClearCache();
        }

        foreach (var (uid, cached) in structures)
        {
            _cache[uid] = cached;
        }
    }

    private void ClearCache()
    {
        _cache.Clear();
        _probed.Clear();
    }

    // UIDs already looked up in the store's structure cache (found or not): never asked twice while cached here.
    private readonly HashSet<uint> _probed = [];

    public bool WasProbed(uint uid) => _probed.Contains(uid);

    public void MarkProbed(IEnumerable<uint> uids) => _probed.UnionWith(uids);

    // Structures computed here that the store's cache does not have yet, written in batches.
    private List<(uint Uid, MessageStructure Structure)> _pending = [];

    public int PendingStructures => _pending.Count;

    public void AddPending(uint uid, CachedStructure cached) =>
        _pending.Add((uid, new MessageStructure(cached.Envelope, cached.BodyStructure, cached.Body)));

    /// <summary>The structures waiting for the store's cache; the list is handed over and emptied.</summary>
    public List<(uint Uid, MessageStructure Structure)> TakePendingStructures()
    {
        var taken = _pending;
        _pending = [];
        return taken;
    }

    // Header blocks read ahead in one batch for a search, each handed out once.
    private Dictionary<uint, ReadOnlyMemory<byte>> _headers = [];

    /// <summary>Takes a read-ahead header block; false if <paramref name="uid"/> was not read ahead.</summary>
    public bool TryTakeHeader(uint uid, out ReadOnlyMemory<byte> header) => _headers.Remove(uid, out header);

    /// <summary>Replaces the read-ahead header blocks (the previous batch's leftovers are dropped).</summary>
    public void SetHeaders(Dictionary<uint, ReadOnlyMemory<byte>> headers) => _headers = headers;
}

/// <summary>ENVELOPE, BODYSTRUCTURE and BODY of one message, computed once (per session, and in the store's cache).</summary>
public sealed record CachedStructure(string Envelope, string BodyStructure, string Body);
