using EzioPxe.Contracts.Machines;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace EzioPxe.Client.Job;

/// <summary>The local interface, address and MAC that the kernel would use to reach the server.</summary>
public sealed record NetworkRoute(string InterfaceName, IPAddress LocalAddress, MacAddress Mac)
{
    /// <summary>
    /// Asks the kernel's routing table by connecting a UDP socket (which sends nothing) and
    /// reading the source address it picked, then finds the interface that owns that address.
    /// A machine with several NICs is thus known by the one that PXE-booted on the lab network.
    /// </summary>
    public static NetworkRoute Find(IPAddress server)
    {
        using var socket = new Socket(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        socket.Connect(new IPEndPoint(server, 9));
        var local = ((IPEndPoint)socket.LocalEndPoint!).Address;
        foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
        {
            if (nic.GetIPProperties().UnicastAddresses.Any(u => u.Address.Equals(local)))
            {
                return new NetworkRoute(nic.Name, local, MacAddress.FromBytes(nic.GetPhysicalAddress().GetAddressBytes()));
            }
        }
        throw new InvalidOperationException($"no network interface has the address {local} that routes to {server}");
    }

    /// <summary>Resolves <paramref name="host"/> first (the server is usually given as an address anyway).</summary>
    public static async Task<NetworkRoute> FindAsync(string host, CancellationToken cancellationToken)
    {
        if (!IPAddress.TryParse(host, out var address))
        {
            var addresses = await Dns.GetHostAddressesAsync(host, cancellationToken);
            address = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault()
                ?? throw new InvalidOperationException($"the server name {host} has no address");
        }
        return Find(address);
    }
}
