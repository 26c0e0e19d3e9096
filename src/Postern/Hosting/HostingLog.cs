using Microsoft.Extensions.Logging;

namespace Postern.Hosting;

/// <summary>Events of `serve` itself (ids 200-299, see EventIdRanges.cs).</summary>
internal static partial class HostingLog
{
    [LoggerMessage(EventId = 200, Level = LogLevel.Information,
        Message = "The open-files limit ({Limit}) carries only {Cap} connections; accepting at most that many instead of {Configured} (raise it with ulimit -n or LimitNOFILE=)")]
    public static partial void ConnectionsCappedByDescriptors(ILogger log, long limit, int cap, int configured);
}
