namespace Postern.Net;

/// <summary>
/// One certificate in use plus the files it came from. Reloading swaps <see cref="Current"/> in
/// one reference write, so a handshake sees either the old or the new certificate, never a mix.
/// The old certificate is not disposed: handshakes already running may still hold it.
/// </summary>
internal sealed class TlsCertificateSlot
{
    private readonly object _gate = new();
    private volatile TlsPolicy.Loaded _current;
    private FileSignature? _lastAttempt;

    public TlsCertificateSlot(TlsCertificateSource? source, TlsPolicy.Loaded initial)
    {
        Source = source;
        _current = initial;
        _lastAttempt = source is null ? null : FileSignature.Of(source);
    }

    public TlsCertificateSource? Source { get; }

    public TlsPolicy.Loaded Current => _current;

    /// <summary>Null when the files did not change since the last attempt (or there are none).</summary>
    public TlsReloadOutcome? TryReload()
    {
        if (Source is null)
        {
            return null;
        }

        lock (_gate)
        {
            var now = FileSignature.Of(Source);
            if (now == _lastAttempt)
            {
                return null;
            }

            _lastAttempt = now;
            try
            {
                var loaded = TlsPolicy.Load(Source);
                if (loaded.Certificate.NotAfter.ToUniversalTime() < DateTime.UtcNow)
                {
                    // Postfix and Dovecot would serve it; we refuse because the one we have may still be good.
                    return new TlsReloadOutcome(Source, null, null, $"the new certificate {loaded.Certificate.Subject} expired on {loaded.Certificate.NotAfter.ToUniversalTime():u}");
                }

                _current = loaded;
                return new TlsReloadOutcome(Source, null, loaded.Certificate.Subject, null);
            }
            catch (TlsConfigurationException e)
            {
                return new TlsReloadOutcome(Source, null, null, e.Message);
            }
        }
    }

    /// <summary>Modification time and length of both files: cheap to compare, changes on every rewrite.</summary>
    private readonly record struct FileSignature(DateTime CertTime, long CertLength, DateTime KeyTime, long KeyLength)
    {
        public static FileSignature Of(TlsCertificateSource s)
        {
            var c = new FileInfo(s.CertificatePath);
            var k = new FileInfo(s.KeyPath);
            return new FileSignature(
                c.Exists ? c.LastWriteTimeUtc : default, c.Exists ? c.Length : -1,
                k.Exists ? k.LastWriteTimeUtc : default, k.Exists ? k.Length : -1);
        }
    }
}
