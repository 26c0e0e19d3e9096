using System.Net;
using System.Net.Sockets;

namespace Postern.Net;

/// <summary>An endpoint could not listen; the message is one sentence a person can act on.</summary>
public sealed class EndpointBindException : Exception
{
    private EndpointBindException(string message, Exception inner) : base(message, inner) { }

    public static EndpointBindException From(EndpointInfo endpoint, SocketException e)
    {
        string where = $"port {endpoint.Port} on {endpoint.Address}";
        string message = e.SocketErrorCode switch
        {
            SocketError.AccessDenied when endpoint.Port < 1024 =>
                $"Cannot listen on port {endpoint.Port} for {endpoint.Name}: ports below 1024 need root or CAP_NET_BIND_SERVICE; run as root, or add --port-offset 10000 to use port {endpoint.Port + 10000} instead.",
            SocketError.AccessDenied =>
                $"Cannot listen on {where} for {endpoint.Name}: permission denied.",
            SocketError.AddressAlreadyInUse =>
                $"Cannot listen on {where} for {endpoint.Name}: another program already uses that port; stop it, or choose other ports with --port-offset.",
            SocketError.AddressNotAvailable =>
                $"Cannot listen on {where} for {endpoint.Name}: that address is not on this machine; check --bind.",
            _ => $"Cannot listen on {where} for {endpoint.Name}: {e.Message}.",
        };
        return new EndpointBindException(message, e);
    }
}
