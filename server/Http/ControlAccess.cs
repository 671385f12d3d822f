using System.Net;
using System.Net.Sockets;
using EzioPxe.Server.Configuration;
using Microsoft.AspNetCore.Http;

namespace EzioPxe.Server.Http;

/// <summary>
/// Who may arm tasks and wake machines over HTTP. Arming a task erases a disk, and every host on
/// the LAN reaches this port, so by default only the server's own host may (loopback, or a
/// connection to one of our addresses from that same address); Server:ControlFrom adds
/// addresses or networks. The body must be JSON: a browser cannot send that cross-site without
/// a CORS preflight, which is never granted, so another web page cannot arm a task through an
/// administrator's browser.
/// </summary>
public sealed class ControlAccess
{
    private readonly List<IPNetwork> _allowed = [];

    public ControlAccess(ServerSettings settings)
    {
        foreach (var entry in settings.Server.ControlFrom)
        {
            if (IPNetwork.TryParse(entry, out var network))
            {
                _allowed.Add(network);
            }
            else if (IPAddress.TryParse(entry, out var address))
            {
                _allowed.Add(new IPNetwork(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128));
            }
        }
    }

    /// <summary>Null when the request may control the server; else the 403 answer, saying how to allow it.</summary>
    public IResult? Refuse(HttpContext context)
    {
        var remote = Normalize(context.Connection.RemoteIpAddress);
        var local = Normalize(context.Connection.LocalIpAddress);
        var sameHost = remote != null && (IPAddress.IsLoopback(remote) || remote.Equals(local));
        if (!sameHost && (remote == null || !_allowed.Any(n => n.Contains(remote))))
        {
            return Results.Text($"{remote}: only the server's own host may arm tasks or wake machines; add this address to Server:ControlFrom to allow it\n", statusCode: 403);
        }
        if (context.Request.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) != true)
        {
            return Results.Text("the request body must be JSON (Content-Type: application/json)\n", statusCode: 415);
        }
        return null;
    }

    private static IPAddress? Normalize(IPAddress? address) => address is { IsIPv4MappedToIPv6: true } ? address.MapToIPv4() : address;
}
