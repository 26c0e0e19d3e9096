using Postern.Imap.Parsing;
using Postern.Imap.Session;
using Postern.Storage.Quotas;

namespace Postern.Imap.Commands;

/// <summary>
/// The QUOTA extension's commands (RFC 9208 4). Each account with a limit has one quota root, named
/// "User quota" (see <see cref="QuotaPolicy"/> for why not ""), holding every mailbox of the account; only the STORAGE
/// resource is offered (QUOTA=RES-STORAGE). An account without a limit has no quota root at all, so
/// GETQUOTAROOT lists none for its mailboxes (RFC 9208 4.3 allows a mailbox with no root).
/// </summary>
internal static class QuotaResponses
{
    public const string RootName = "User quota";

    /// <summary>"QUOTA "User quota" (STORAGE used limit)" in 1024-octet units (RFC 9208 5.1).</summary>
    public static string Quota(QuotaState state) =>
        $"QUOTA {ImapText.String(RootName)} (STORAGE {state.UsageKiB} {state.LimitKiB})";
}

/// <summary>GETQUOTAROOT mailbox (RFC 9208 4.3): the mailbox's quota roots, then each root's QUOTA.</summary>
public sealed class GetQuotaRootCommand : IImapCommand
{
    public async Task ExecuteAsync(ImapSession session, ImapCommand command, CancellationToken ct)
    {
        Arguments.Count(command, 1, 1);
        string name = Arguments.Mailbox(session, command.Args[0]);
        var account = session.RequireAccount;
        var box = await session.Store.GetMailboxAsync(account.Id, name, ct).ConfigureAwait(false)
            ?? throw ImapException.No("[NONEXISTENT] No such mailbox");
        var state = await session.Options.Quota.GetAsync(session.Store, account, ct).ConfigureAwait(false);
        string mailbox = ImapText.Mailbox(session, box.Name);
        if (state is null)
        {
            session.Untagged("QUOTAROOT " + mailbox);
        }
        else
        {
            session.Untagged("QUOTAROOT " + mailbox + " " + ImapText.String(QuotaResponses.RootName));
            session.Untagged(QuotaResponses.Quota(state));
        }

        session.Ok(command.Tag, "GETQUOTAROOT completed");
    }
}

/// <summary>GETQUOTA root (RFC 9208 4.2): the usage and limits of one quota root; NO when there is no such root.</summary>
public sealed class GetQuotaCommand : IImapCommand
{
    public async Task ExecuteAsync(ImapSession session, ImapCommand command, CancellationToken ct)
    {
        Arguments.Count(command, 1, 1);
        string root = Arguments.AString(command.Args[0], "a quota root");
        var state = root == QuotaResponses.RootName
            ? await session.Options.Quota.GetAsync(session.Store, session.RequireAccount, ct).ConfigureAwait(false)
            : null;
        if (state is null)
        {
            throw ImapException.No("[NONEXISTENT] No such quota root");
        }

        session.Untagged(QuotaResponses.Quota(state));
        session.Ok(command.Tag, "GETQUOTA completed");
    }
}

/// <summary>
/// SETQUOTA (RFC 9208 4.1) is refused: limits come from the server configuration, set by the
/// administrator, so QUOTASET is not advertised and no user can raise their own limit.
/// </summary>
public sealed class SetQuotaCommand : IImapCommand
{
    public Task ExecuteAsync(ImapSession session, ImapCommand command, CancellationToken ct)
    {
        Arguments.Count(command, 2, 2);
        if (command.Args[1].Kind != ImapTokenKind.List)
        {
            throw ImapException.Bad("Expected a list of resource limits");
        }

        throw ImapException.No("[NOPERM] Quota limits are set by the administrator in the server configuration");
    }
}
