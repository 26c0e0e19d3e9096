using Microsoft.Extensions.Logging;
using Postern.Net;
using Postern.Storage;
using Postern.Storage.Accounts;

namespace Postern.Imap.Session;

/// <summary>Everything one connection's commands share: the connection, the state, the account and the selected mailbox.</summary>
public sealed partial class ImapSession
{
    public ImapSession(MailConnection connection, IMailStore store, Authenticator auth, ServerIdentity identity, ImapOptions options, ILogger log)
    {
        Connection = connection;
        Store = store;
        Auth = auth;
        Identity = identity;
        Options = options;
        Log = log;
    }

    public MailConnection Connection { get; }

    public IMailStore Store { get; }

    public Authenticator Auth { get; }

    public ServerIdentity Identity { get; }

    public ImapOptions Options { get; }

    public ILogger Log { get; }

    public ImapState State { get; set; } = ImapState.NotAuthenticated;

    public Account? Account { get; private set; }

    public SelectedMailbox? Selected { get; private set; }

    /// <summary>The message literal of the APPEND being run; null otherwise. APPEND consumes it.</summary>
    public PendingLiteral? Literal { get; set; }

    /// <summary>Failed LOGIN/AUTHENTICATE attempts on this connection.</summary>
    public int AuthFailures { get; set; }

    /// <summary>The logged-in account; commands in the LoggedIn states can rely on it.</summary>
    public Account RequireAccount => Account ?? throw new InvalidOperationException("Not authenticated.");

    /// <summary>The selected mailbox; commands in the Selected state can rely on it.</summary>
    public SelectedMailbox RequireSelected => Selected ?? throw new InvalidOperationException("No mailbox selected.");

    /// <summary>
    /// What we implement, no more (RFC 3501 7.2.1). Before TLS: STARTTLS and LOGINDISABLED and no
    /// AUTH= mechanism (RFC 3501 6.2.3, RFC 9051 6.2.1); after TLS: AUTH=PLAIN.
    /// </summary>
    public string Capabilities
    {
        get
        {
            var caps = string.Join(' ', BaseCapabilities) + " " + LiteralPolicy.Capability(Options) + " APPENDLIMIT=" + Options.MaxAppendSize;
            if (State == ImapState.NotAuthenticated)
            {
                if (Connection.CanStartTls)
                {
                    caps += " STARTTLS";
                }

                caps += Connection.IsTls ? " AUTH=PLAIN AUTH=SCRAM-SHA-256 AUTH=SCRAM-SHA-256-PLUS" : " LOGINDISABLED";
            }
            else if (!Connection.IsCompressed)
            {
                // Offered after login only: credentials never share a compression context with other data.
                caps += " COMPRESS=DEFLATE";
            }

            return caps;
        }
    }

    /// <summary>
    /// Capabilities that do not depend on state, one per line so each extension is added (and
    /// reviewed) on its own.
    /// </summary>
    private static readonly string[] BaseCapabilities =
    [
        "IMAP4rev1",
        "SASL-IR",
        "SPECIAL-USE",
        "CHILDREN",
        "UNSELECT",
        "UIDPLUS",
        "MOVE",
        "IDLE",
        "ENABLE",
        "NAMESPACE",
        "ID",
        "STATUS=SIZE",
        "CONDSTORE",
        "QRESYNC",
        "IMAP4rev2",
        "QUOTA",
        "QUOTA=RES-STORAGE",
        "ESEARCH",
        "SEARCHRES",
        "WITHIN",
        "SORT",
        "SORT=DISPLAY",
        "THREAD=ORDEREDSUBJECT",
        "THREAD=REFERENCES",
        "LIST-EXTENDED",
        "LIST-STATUS",
        "CREATE-SPECIAL-USE",
        "UTF8=ACCEPT",
        "MULTIAPPEND",
        "BINARY",
    ];

    /// <summary>What the client has turned on with ENABLE (RFC 5161); never switched off again.</summary>
    public ImapExtensions Enabled { get; set; }

    /// <summary>The client enabled IMAP4rev2 (RFC 9051).</summary>
    public bool IsRev2 => (Enabled & ImapExtensions.Imap4Rev2) != 0;

    /// <summary>
    /// Mailbox names travel as UTF-8, not modified UTF-7: after ENABLE UTF8=ACCEPT (RFC 6855 3) or
    /// IMAP4rev2 (RFC 9051 5.1).
    /// </summary>
    public bool Utf8Names => (Enabled & (ImapExtensions.Utf8Accept | ImapExtensions.Imap4Rev2)) != 0;

    /// <summary>CONDSTORE is on: enabled, implied by QRESYNC, or switched on by a CONDSTORE-only command (RFC 7162 3.1).</summary>
    public bool IsCondStore => (Enabled & (ImapExtensions.CondStore | ImapExtensions.QResync)) != 0;

    /// <summary>The client enabled QRESYNC (RFC 7162 3.2.3): VANISHED replaces EXPUNGE.</summary>
    public bool IsQResync => (Enabled & ImapExtensions.QResync) != 0;

    /// <summary>
    /// Called by a CONDSTORE-enabling command (RFC 7162 3.1: FETCH/SEARCH MODSEQ, CHANGEDSINCE,
    /// UNCHANGEDSINCE, STATUS HIGHESTMODSEQ). The first one run with a mailbox selected also sends
    /// the HIGHESTMODSEQ the client has not seen yet.
    /// </summary>
    public void TurnOnCondStore()
    {
        if (!IsCondStore)
        {
            Enabled |= ImapExtensions.CondStore;
            AnnounceHighestModSeq();
        }
    }

    /// <summary>"* OK [HIGHESTMODSEQ n]" for the selected mailbox, if any (RFC 7162 3.1.2.1).</summary>
    public void AnnounceHighestModSeq()
    {
        if (Selected is { } box)
        {
            Untagged($"OK [HIGHESTMODSEQ {box.HighestModSeq}] Highest");
        }
    }
    public void Untagged(string text) => Connection.WriteLine("* " + text);

    public void Ok(string tag, string text) => Connection.WriteLine(tag + " OK " + text);

    /// <summary>Moves to the Authenticated state and lengthens the idle timeout (RFC 9051 5.4).</summary>
    public void LoggedIn(Account account)
    {
        Account = account;
        State = ImapState.Authenticated;
        Connection.ReadTimeout = Options.AuthenticatedTimeout;
    }

    public void Select(SelectedMailbox mailbox)
    {
        Selected = mailbox;
        State = ImapState.Selected;
        _watch?.Dispose();
        Drain();
        // Every committed change by anyone (delivery, other sessions) releases the signal; IDLE waits on it.
        _watch = Store.WatchMailbox(mailbox.Info.Id, Signal);
    }

    /// <summary>
    /// Deselects before SELECT/EXAMINE opens another mailbox: "* OK [CLOSED]" tells the client that
    /// responses after it belong to the next mailbox (RFC 7162 3.2.11, RFC 9051 7.1). Sent only to
    /// clients that enabled QRESYNC or rev2, which know the code.
    /// </summary>
    public void DeselectForSelect()
    {
        if (Selected is not null && (Enabled & (ImapExtensions.QResync | ImapExtensions.Imap4Rev2)) != 0)
        {
            Untagged("OK [CLOSED] Previous mailbox closed");
        }

        Deselect();
    }

    /// <summary>Leaves the Selected state without any response (CLOSE, UNSELECT: the tagged OK says it all).</summary>
    public void Deselect()
    {
        _watch?.Dispose();
        _watch = null;
        Selected = null;
        State = ImapState.Authenticated;
    }

    /// <summary>Stops watching the selected mailbox; called when the connection ends.</summary>
    public void Close()
    {
        _watch?.Dispose();
        _watch = null;
    }

    private IDisposable? _watch;

    /// <summary>Released (at most once until taken) when the selected mailbox changed; see <see cref="IMailStore.WatchMailbox"/>.</summary>
    public SemaphoreSlim Changed { get; } = new(0, 1);

    private void Signal()
    {
        // Called on the store's thread and must not block: one pending signal is enough.
        try
        {
            Changed.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled; the next refresh picks up every change since.
        }
    }

    private void Drain()
    {
        while (Changed.Wait(0))
        {
        }
    }

    /// <summary>
    /// Brings the selected mailbox up to date and tells the client what changed (NOOP, CHECK,
    /// IDLE, after EXPUNGE). Never called during FETCH, STORE or SEARCH (RFC 3501 7.4.1).
    /// </summary>
    /// <remarks>
    /// Every committed change raises the mailbox's HIGHESTMODSEQ (appends, flag changes, expunges),
    /// so only what lies above the session's HIGHESTMODSEQ is read: the messages with a higher
    /// MODSEQ and the expunge tombstones above it (RFC 7162), never the (possibly 100,000-message)
    /// whole list. HIGHESTMODSEQ is read first: a change committed during the reads is either seen
    /// now or above the new HIGHESTMODSEQ and seen by the next refresh, never lost; seeing it twice
    /// reports nothing the second time.
    /// </remarks>
    public async Task RefreshAsync(CancellationToken ct)
    {
        if (Selected is not { } mailbox)
        {
            return;
        }

        await FlushStructuresAsync(ct).ConfigureAwait(false);

        // Taken before reading, so a change committed during the read signals again.
        Drain();
        ulong highest = await Store.GetHighestModSeqAsync(mailbox.Info.Id, ct).ConfigureAwait(false);
        if (highest == 0 || mailbox.HighestModSeq == 0)
        {
            // The mailbox is gone, or the store cannot tell cheaply: compare the whole list.
            await FullRefreshAsync(mailbox, ct).ConfigureAwait(false);
            return;
        }

        if (highest == mailbox.HighestModSeq)
        {
            return;
        }

        ulong since = mailbox.HighestModSeq;
        var expunged = await Store.ExpungedSinceAsync(mailbox.Info.Id, since, ct).ConfigureAwait(false);
        var changed = await Store.ListMessagesAsync(mailbox.Info.Id, since, ct).ConfigureAwait(false);
        await ClaimRecentAsync(mailbox, changed, ct).ConfigureAwait(false);
        mailbox.ApplyChanges(changed, expunged, Untagged, IsCondStore, IsQResync);
        mailbox.HighestModSeq = Math.Max(mailbox.HighestModSeq, highest);
    }

    private async Task FullRefreshAsync(SelectedMailbox mailbox, CancellationToken ct)
    {
        var info = await Store.GetMailboxAsync(mailbox.Info.AccountId, mailbox.Info.Name, ct).ConfigureAwait(false);
        bool sameBox = info is not null && info.Id == mailbox.Info.Id;
        if (sameBox && info!.HighestModSeq != 0 && info.HighestModSeq == mailbox.HighestModSeq)
        {
            return;
        }

        // Not under its name: renamed, or deleted by another session. A store reads a deleted
        // mailbox as empty (IMailStore contract), so the session itself tells the client it is gone:
        // NO [NONEXISTENT] to the command, BYE in IDLE (RFC 3501 7.1.5), rather than EXPUNGE for all.
        if (!sameBox && !(await Store.ListMailboxesAsync(mailbox.Info.AccountId, ct).ConfigureAwait(false)).Any(b => b.Id == mailbox.Info.Id))
        {
            throw new MailboxException(MailboxError.NotFound, "The selected mailbox no longer exists.");
        }

        var current = await Store.ListMessagesAsync(mailbox.Info.Id, ct).ConfigureAwait(false);
        await ClaimRecentAsync(mailbox, current, ct).ConfigureAwait(false);
        mailbox.Apply(current, Untagged, IsCondStore, IsQResync);
        if (sameBox)
        {
            mailbox.HighestModSeq = Math.Max(mailbox.HighestModSeq, info!.HighestModSeq);
        }
    }

    /// <summary>
    /// New messages (UIDs above the view's) are about to be announced: this session is the first to
    /// be told, so it takes those nobody has taken yet as its recent ones (RFC 3501 2.3.2), before
    /// the EXISTS that is followed by the new RECENT count. A read-only session only looks.
    /// </summary>
    private async Task ClaimRecentAsync(SelectedMailbox mailbox, IReadOnlyList<MessageInfo> seen, CancellationToken ct)
    {
        uint known = mailbox.MaxUid;
        uint top = 0;
        foreach (var m in seen)
        {
            top = Math.Max(top, m.Uid);
        }

        if (!mailbox.TracksRecent || top <= known)
        {
            return;
        }

        uint first = await Store.ClaimRecentAsync(mailbox.Info.Id, mailbox.ReadOnly ? 0 : top + 1, ct).ConfigureAwait(false);
        mailbox.AddRecent(first == 0 ? 0 : Math.Max(first, known + 1), top + 1);
    }

    /// <summary>
    /// Hands the structures this session computed to the store's persistent cache (see
    /// <see cref="SelectedMailbox.TakePendingStructures"/>), so other sessions need not parse them.
    /// </summary>
    public async Task FlushStructuresAsync(CancellationToken ct)
    {
        if (Selected is { } mailbox && mailbox.TakePendingStructures() is { Count: > 0 } pending)
        {
            try
            {
                await Store.SetCachedStructuresAsync(mailbox.Info.Id, pending, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Only a cache: the command that computed the structures has what it needs.
                LogStructureCacheFailed(Log, e);
            }
        }
    }

    [LoggerMessage(EventId = 3090, Level = LogLevel.Warning, Message = "IMAP could not store computed message structures in the store's cache")]
    private static partial void LogStructureCacheFailed(ILogger logger, Exception exception);
}

/// <summary>An APPEND message literal announced but not yet read (RFC 3501 4.3, RFC 7888).</summary>
public sealed class PendingLiteral(long size, bool nonSync)
{
    public long Size { get; } = size;

    /// <summary>{n+}: the bytes follow without waiting for "+".</summary>
    public bool NonSync { get; } = nonSync;

    /// <summary>The message is a literal8 "~{n}" (RFC 3516 4.4).</summary>
    public bool Binary { get; init; }

    /// <summary>The message is the UTF8 data item "UTF8 (~{n})" (RFC 6855 4); its ")" follows the literal.</summary>
    public bool Utf8 { get; init; }

    /// <summary>Set once the command has read the literal (and the rest of its line).</summary>
    public bool Consumed { get; set; }
}
