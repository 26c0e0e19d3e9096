using Postern.Configuration;
using Postern.Net;

namespace Postern.Hosting;

/// <summary>
/// What `serve` read and checked before the host is built: the data folder, the bound options,
/// the mail endpoints (with --port-offset and --bind applied) and the loaded TLS policy. Every
/// configuration mistake is found while this is made, so it surfaces as one sentence before
/// anything starts.
/// </summary>
public sealed record ServeSetup(string DataDir, PosternOptions Options, IReadOnlyList<EndpointInfo> Endpoints, TlsPolicy Tls);
