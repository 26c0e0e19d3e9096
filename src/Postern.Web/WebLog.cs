using Microsoft.Extensions.Logging;

namespace Postern.Web;

/// <summary>Log events of the web side (EventIds 4000-4999, see EventIdRanges.cs).</summary>
internal static partial class WebLog
{
    [LoggerMessage(EventId = 4000, Level = LogLevel.Information, Message = "Web endpoint listening: {Endpoint}")]
    public static partial void Listening(ILogger logger, WebEndpoint endpoint);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Debug, Message = "{Method} {Route} from {Remote}: {Status}")]
    public static partial void Served(ILogger logger, string method, string route, string? remote, int status);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "Refused a {Route} request from {Remote}: {Reason}")]
    public static partial void Refused(ILogger logger, string route, string? remote, string reason);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Error, Message = "Web request {Route} failed")]
    public static partial void Failed(ILogger logger, string route, Exception e);
}
