using Postern.Imap.Parsing;
using Postern.Imap.Session;

namespace Postern.Imap.Commands;

/// <summary>
/// COMPRESS DEFLATE (RFC 4978): after the tagged OK, both directions are deflated. Offered only
/// after login, so credentials never share a compression context with attacker-chosen data.
/// </summary>
public sealed class CompressCommand : IImapCommand
{
    public async Task ExecuteAsync(ImapSession session, ImapCommand command, CancellationToken ct)
    {
        Arguments.Count(command, 1, 1);
        string algorithm = Arguments.AString(command.Args[0], "a compression algorithm");
        if (!string.Equals(algorithm, "DEFLATE", StringComparison.OrdinalIgnoreCase))
        {
            throw ImapException.No("Unknown compression algorithm (only DEFLATE)");
        }

        if (session.Connection.IsCompressed)
        {
            throw ImapException.No("[COMPRESSIONACTIVE] DEFLATE is already active");
        }

        session.Ok(command.Tag, "DEFLATE active");
        await session.Connection.StartCompressionAsync(ct).ConfigureAwait(false);
    }
}
