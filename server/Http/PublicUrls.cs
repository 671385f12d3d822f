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
        return $"http://{request.Host.ToUriComponent()}/";
    }
}
