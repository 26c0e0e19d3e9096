using Postern.Smtp.Parsing;

namespace Postern.Smtp.Session;

/// <summary>One mail transaction: MAIL, then RCPTs, then DATA (RFC 5321 3.3). Recipients are resolved when given.</summary>
internal sealed class Transaction(SmtpAddress returnPath, bool utf8)
{
    private readonly HashSet<long> _localSet = [];
    private readonly HashSet<string> _remoteSet = new(StringComparer.OrdinalIgnoreCase);

    public SmtpAddress ReturnPath { get; } = returnPath;

    /// <summary>MAIL carried SMTPUTF8 (RFC 6531 3.4): UTF-8 addresses are allowed in RCPT.</summary>
    public bool Utf8 { get; } = utf8;

    public List<long> LocalAccounts { get; } = [];

    public List<string> RemoteRecipients { get; } = [];

    public int Count => LocalAccounts.Count + RemoteRecipients.Count;

    /// <summary>RCPTs refused because the transaction was full (452 4.5.3).</summary>
    public int Overshoot { get; set; }

    /// <summary>The SIZE= of MAIL (RFC 1870), 0 when not given; the RCPT quota check uses it.</summary>
    public long DeclaredSize { get; set; }

    /// <summary>Local accounts that have a quota, with their limit in octets; checked again at the end of DATA.</summary>
    public Dictionary<long, long> QuotaLimits { get; } = [];

    public bool Contains(long accountId) => _localSet.Contains(accountId);

    public bool Contains(string remote) => _remoteSet.Contains(remote);

    /// <summary>Adds a local account; a duplicate collapses into the first (each INBOX gets one copy).</summary>
    public void Add(long accountId)
    {
        if (_localSet.Add(accountId))
        {
            LocalAccounts.Add(accountId);
        }
    }

    /// <summary>Adds a remote address; case-insensitive duplicates collapse.</summary>
    public void Add(string remote)
    {
        if (_remoteSet.Add(remote))
        {
            RemoteRecipients.Add(remote);
        }
    }
}
