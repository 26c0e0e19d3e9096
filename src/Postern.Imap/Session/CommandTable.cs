using Postern.Imap.Commands;

namespace Postern.Imap.Session;

/// <summary>Which commands exist and in which states each is allowed (RFC 3501 6: 6.1 any, 6.2 not authenticated, 6.3 authenticated, 6.4 selected).</summary>
public static class CommandTable
{
    public sealed record Entry(ImapState Allowed, IImapCommand Command);

    private static readonly Dictionary<string, Entry> Entries = WithSavedResult(Build());

    private static Dictionary<string, Entry> Build()
    {
        var fetch = new FetchCommand(byUid: false);
        var uidFetch = new FetchCommand(byUid: true);
        var store = new StoreCommand(byUid: false);
        var uidStore = new StoreCommand(byUid: true);
        var search = new SearchCommand(byUid: false);
        var uidSearch = new SearchCommand(byUid: true);
        var noop = new NoopCommand();
        var list = new ListCommand(lsub: false);
        var lsub = new ListCommand(lsub: true);
        return new Dictionary<string, Entry>(StringComparer.Ordinal)
        {
            ["CAPABILITY"] = new(ImapState.Any, new CapabilityCommand()),
            ["NOOP"] = new(ImapState.Any, noop),
            ["LOGOUT"] = new(ImapState.Any, new LogoutCommand()),
            ["ID"] = new(ImapState.Any, new IdCommand()),
            ["STARTTLS"] = new(ImapState.NotAuthenticated, new StartTlsCommand()),
            ["LOGIN"] = new(ImapState.NotAuthenticated, new LoginCommand()),
            ["AUTHENTICATE"] = new(ImapState.NotAuthenticated, new AuthenticateCommand()),
            ["SELECT"] = new(ImapState.LoggedIn, new SelectCommand(readOnly: false)),
            ["EXAMINE"] = new(ImapState.LoggedIn, new SelectCommand(readOnly: true)),
            ["LIST"] = new(ImapState.LoggedIn, list),
            ["LSUB"] = new(ImapState.LoggedIn, lsub),
            ["STATUS"] = new(ImapState.LoggedIn, new StatusCommand()),
            ["COMPRESS"] = new(ImapState.LoggedIn, new CompressCommand()),
            ["SUBSCRIBE"] = new(ImapState.LoggedIn, new SubscribeCommand(subscribe: true)),
            ["UNSUBSCRIBE"] = new(ImapState.LoggedIn, new SubscribeCommand(subscribe: false)),
            ["CREATE"] = new(ImapState.LoggedIn, new CreateCommand()),
            ["DELETE"] = new(ImapState.LoggedIn, new DeleteCommand()),
            ["RENAME"] = new(ImapState.LoggedIn, new RenameCommand()),
            ["APPEND"] = new(ImapState.LoggedIn, new AppendCommand()),
            ["ENABLE"] = new(ImapState.Authenticated, new EnableCommand()),
            ["NAMESPACE"] = new(ImapState.LoggedIn, new NamespaceCommand()),
            ["IDLE"] = new(ImapState.LoggedIn, new IdleCommand()),
            ["GETQUOTA"] = new(ImapState.LoggedIn, new GetQuotaCommand()),
            ["GETQUOTAROOT"] = new(ImapState.LoggedIn, new GetQuotaRootCommand()),
            ["SETQUOTA"] = new(ImapState.LoggedIn, new SetQuotaCommand()),
            ["CHECK"] = new(ImapState.Selected, noop),
            ["CLOSE"] = new(ImapState.Selected, new CloseCommand()),
            ["UNSELECT"] = new(ImapState.Selected, new UnselectCommand()),
            ["COPY"] = new(ImapState.Selected, new CopyCommand(byUid: false)),
            ["UID COPY"] = new(ImapState.Selected, new CopyCommand(byUid: true)),
            ["MOVE"] = new(ImapState.Selected, new MoveCommand(byUid: false)),
            ["UID MOVE"] = new(ImapState.Selected, new MoveCommand(byUid: true)),
            ["EXPUNGE"] = new(ImapState.Selected, new ExpungeCommand(byUid: false)),
            ["UID EXPUNGE"] = new(ImapState.Selected, new ExpungeCommand(byUid: true)),
            ["FETCH"] = new(ImapState.Selected, fetch),
            ["UID FETCH"] = new(ImapState.Selected, uidFetch),
            ["STORE"] = new(ImapState.Selected, store),
            ["UID STORE"] = new(ImapState.Selected, uidStore),
            ["SEARCH"] = new(ImapState.Selected, search),
            ["UID SEARCH"] = new(ImapState.Selected, uidSearch),
            ["SORT"] = new(ImapState.Selected, new SortCommand(byUid: false)),
            ["UID SORT"] = new(ImapState.Selected, new SortCommand(byUid: true)),
            ["THREAD"] = new(ImapState.Selected, new ThreadCommand(byUid: false)),
            ["UID THREAD"] = new(ImapState.Selected, new ThreadCommand(byUid: true)),
        };
    }

    /// <summary>Wraps the commands whose first argument is a sequence set, where "$" may stand (RFC 5182 3).</summary>
    private static Dictionary<string, Entry> WithSavedResult(Dictionary<string, Entry> entries)
    {
        // A local, not a static field: static fields initialise in order, and Entries comes first.
        string[] takeSequenceSets = ["FETCH", "UID FETCH", "STORE", "UID STORE", "COPY", "UID COPY", "MOVE", "UID MOVE", "UID EXPUNGE"];
        foreach (string name in takeSequenceSets)
        {
            if (entries.TryGetValue(name, out var e))
            {
                entries[name] = e with { Command = new SavedResultScope(e.Command, byUid: name.StartsWith("UID ", StringComparison.Ordinal)) };
            }
        }

        return entries;
    }

    public static Entry? Find(string name) => Entries.GetValueOrDefault(name);
}
