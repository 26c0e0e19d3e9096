using Postern.Net;

namespace Postern.Imap.Session;

/// <summary>
/// A deadline for reading one literal: the idle timeout plus the time the literal takes at
/// <see cref="ImapOptions.MinLiteralRate"/>. Each read already has the idle timeout, but a client
/// trickling a byte just inside it (slowloris) would otherwise hold the session for as long as it
/// likes; this is Postfix's smtpd_min_data_rate idea applied to IMAP literals.
/// </summary>
public sealed class LiteralDeadline : IDisposable
{
    private readonly CancellationTokenSource _cts;
    private readonly CancellationToken _outer;

    public LiteralDeadline(MailConnection connection, ImapOptions options, long size, CancellationToken outer)
    {
        _outer = outer;
        _cts = CancellationTokenSource.CreateLinkedTokenSource(outer);
        double seconds = connection.ReadTimeout.TotalSeconds + (size / (double)Math.Max(1, options.MinLiteralRate));
        _cts.CancelAfter(TimeSpan.FromSeconds(Math.Min(seconds, int.MaxValue / 1000.0)));
    }

    /// <summary>Cancelled at the deadline (or with the session).</summary>
    public CancellationToken Token => _cts.Token;

    /// <summary>True when <paramref name="e"/> is this deadline firing, not the session stopping.</summary>
    public bool Expired(OperationCanceledException e) => _cts.IsCancellationRequested && !_outer.IsCancellationRequested;

    /// <summary>The exception that ends the session when the deadline passed.</summary>
    public static IdleTimeoutException TooSlow() => new("The client sent a literal too slowly.");

    public void Dispose() => _cts.Dispose();
}
