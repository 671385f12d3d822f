using System.Net;
using System.Net.Sockets;

namespace EzioPxe.TestSupport;

/// <summary>
/// A port, free for both TCP and UDP right now, for a server a test starts (ours or a reference
/// tool such as aria2 or dnsmasq). Taken below the kernel's ephemeral range: a port from that range
/// (what binding to port 0 gives) was once taken by another test's outgoing connection between
/// the pick and the tool's bind ("Address already in use", 1 run in 10 of the tests run together).
/// </summary>
public static class FreePort
{
    /// <summary>How many ports below the ephemeral range to pick from.</summary>
    private const int Span = 10_000;

    public static int Tcp() => Pick();

    public static int Udp() => Pick();

    private static int Pick()
    {
        var below = EphemeralLow();
        for (var attempt = 0; attempt < 1000; attempt++)
        {
            var port = Random.Shared.Next(below - Span, below);
            if (IsFree(SocketType.Stream, ProtocolType.Tcp, port) && IsFree(SocketType.Dgram, ProtocolType.Udp, port))
            {
                return port;
            }
        }
        throw new InvalidOperationException($"no free port in {below - Span}-{below - 1}");
    }

    private static bool IsFree(SocketType type, ProtocolType protocol, int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, type, protocol);
        try
        {
            socket.Bind(new IPEndPoint(IPAddress.Any, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>The first port of /proc/sys/net/ipv4/ip_local_port_range (Linux's default 32768).</summary>
    private static int EphemeralLow()
    {
        try
        {
            var first = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries)[0];
            return Math.Max(int.Parse(first, System.Globalization.CultureInfo.InvariantCulture), Span + 1024);
        }
        catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException or IndexOutOfRangeException)
        {
            return 32768;
        }
    }
}
