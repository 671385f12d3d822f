using EzioPxe.Server.Configuration;
using Microsoft.AspNetCore.Http;

namespace EzioPxe.Server.Http;

/// <summary>
/// The absolute base URL machines reach the server by: Server:PublicAddress when set, otherwise
/// the host the request itself named, which is right on whichever interface the machine is.
/// </summary>
public static class PublicUrls
{
    public static string Base(HttpRequest request, ServerSettings settings)
    {
        if (settings.Server.PublicAddress is { } host)
        {
            return $"http://{(host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host)}:{settings.Server.HttpPort}/";
        }
        if (request.Host.HasValue && request.Host.Host.Length > 0)
        {
            return $"http://{request.Host.ToUriComponent()}/";
        }
        // HTTP/1.0 without Host, or "Host:" empty: the address and port the request reached.
        var connection = request.HttpContext.Connection;
        var local = connection.LocalIpAddress is { } ip ? (ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip) : settings.Address;
        var reached = local.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{local}]" : local.ToString();
        return $"http://{reached}:{(connection.LocalPort > 0 ? connection.LocalPort : settings.Server.HttpPort)}/";
    }
}
