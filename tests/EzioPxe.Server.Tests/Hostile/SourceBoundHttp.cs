using System.Net;
using System.Net.Sockets;

namespace EzioPxe.Server.Tests.Hostile;

/// <summary>
/// An HttpClient whose connections leave from a chosen loopback address (127.0.0.2, ...): another
/// host on the LAN, as the server sees it, without leaving loopback.
/// </summary>
internal static class SourceBoundHttp
{
    public static HttpClient Create(string baseUrl, IPAddress source)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(source, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(30) };
    }
}
