namespace Postern.Net;

/// <summary>Where one certificate lives on disk: a PEM chain and its PEM private key.</summary>
public sealed record TlsCertificateSource(string CertificatePath, string KeyPath);

/// <summary>
/// What one reload attempt did: <see cref="Error"/> is null when the new certificate was taken,
/// else the reason it was refused (the previous certificate keeps serving).
/// </summary>
public sealed record TlsReloadOutcome(TlsCertificateSource Source, string? HostName, string? Subject, string? Error)
{
    public bool Accepted => Error is null;
}
