using Postern.Net;

namespace Postern.Configuration;

/// <summary>Everything in postern.json. Environment variables (POSTERN_Section__Key) and serve's --Section:Key=value switches override any key.</summary>
public sealed class PosternOptions
{
    /// <summary>The name clients connect to; the certificate must be valid for it.</summary>
    public string Hostname { get; set; } = "localhost";

    public TlsOptions Tls { get; set; } = new();

    public Dictionary<string, EndpointOptions> Endpoints { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public ConnectionLimits Limits { get; set; } = new();

    public Smtp.SmtpOptions Smtp { get; set; } = new();

    public Imap.ImapOptions Imap { get; set; } = new();

    public Pop3.Pop3Options Pop3 { get; set; } = new();

    /// <summary>Password-guessing defences: failure delay and per-address/per-account penalty (section Auth).</summary>
    public Storage.Accounts.AuthOptions Auth { get; set; } = new();

    /// <summary>Per-account storage limits (section Quota: DefaultStorageMB, Users:&lt;address&gt;); unlimited by default.</summary>
    public Storage.Quotas.QuotaPolicy Quota { get; set; } = Storage.Quotas.QuotaPolicy.Unlimited;

    /// <summary>
    /// serve's --port-offset as last applied by <see cref="ConfigLoader.ResolveEndpoints"/>: not a
    /// configuration key, but recorded so the web host (started by MailServer) shifts its ports the
    /// same way as the mail endpoints.
    /// </summary>
    public int AppliedPortOffset { get; internal set; }

    /// <summary>serve's --bind as last applied by <see cref="ConfigLoader.ResolveEndpoints"/> (null: per-endpoint addresses).</summary>
    public string? AppliedBind { get; internal set; }
}

public sealed class TlsOptions
{
    /// <summary>PEM certificate chain, relative to the data folder unless absolute.</summary>
    public string Certificate { get; set; } = "tls/cert.pem";

    /// <summary>PEM private key, relative to the data folder unless absolute.</summary>
    public string Key { get; set; } = "tls/key.pem";

    /// <summary>
    /// Extra certificates chosen by the name the client asks for (SNI): host name (or
    /// "*.domain") to its Certificate and Key. A client that sends no name, or one not listed,
    /// gets the default certificate above.
    /// </summary>
    public Dictionary<string, TlsCertificateOptions> Certificates { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// How often (seconds) the certificate files are checked for replacement besides the file
    /// system notifications that normally trigger a reload within a second.
    /// </summary>
    public int ReloadCheckSeconds { get; set; } = 30;
}

public sealed class TlsCertificateOptions
{
    /// <summary>PEM certificate chain, relative to the data folder unless absolute.</summary>
    public string Certificate { get; set; } = "";

    /// <summary>PEM private key, relative to the data folder unless absolute.</summary>
    public string Key { get; set; } = "";
}
