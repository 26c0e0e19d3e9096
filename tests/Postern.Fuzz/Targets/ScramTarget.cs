using System.Text;
using Postern.Fuzz.Support;
using Postern.Storage.Accounts;

namespace Postern.Fuzz.Targets;

/// <summary>
/// The SCRAM-SHA-256 message parser (RFC 5802, RFC 7677): the input is client-first-message, a
/// line feed, then client-final-message, as the AUTHENTICATE exchange delivers them after base64
/// decoding. Runs as SCRAM-SHA-256 and as -PLUS with both channel bindings available. A malformed
/// message gives null (the caller's authentication failure); anything thrown is a crash.
/// </summary>
public sealed class ScramTarget : IFuzzTarget
{
    private static readonly byte[] EndPoint = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
    private static readonly byte[] Exporter = Enumerable.Range(100, 32).Select(i => (byte)i).ToArray();

    public string Name => "scram";

    public void Run(ReadOnlySpan<byte> input)
    {
        int lf = input.IndexOf((byte)'\n');
        // AuthenticateCommand decodes each response with Encoding.UTF8 (invalid bytes become U+FFFD).
        string first = Encoding.UTF8.GetString(lf < 0 ? input : input[..lf]);
        string final = lf < 0 ? "" : Encoding.UTF8.GetString(input[(lf + 1)..]);
        var (store, _) = Fixtures.CreateStoreAsync().GetAwaiter().GetResult();
        foreach (var server in new[] { new ScramSha256Server(store, plus: false, null), new ScramSha256Server(store, plus: true, EndPoint, Exporter) })
        {
            if (server.StartAsync(first, CancellationToken.None).GetAwaiter().GetResult() is not null)
            {
                server.Finish(final);
            }
        }
    }
}
