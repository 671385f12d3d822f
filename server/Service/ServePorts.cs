using System.Net;
using System.Net.Sockets;
using EzioPxe.Server.Configuration;
using EzioPxe.Server.NetBoot.Dhcp;

namespace EzioPxe.Server.Service;

/// <summary>
/// The ports `serve` will bind, and the check made before binding them. DHCP sockets are opened
/// with SO_REUSEADDR (several must share port 67 across interfaces), so a dnsmasq already on
/// port 67 would not make our bind fail: both would answer. Looking first is the only way to
/// refuse that, and it lets every taken port be named with its fix in one go.
/// </summary>
public static class ServePorts
{
    /// <summary>PXE boot-server discovery (proxyDHCP), as DhcpServerOptions.PxePort.</summary>
    private const int PxePort = 4011;

    public static IReadOnlyList<ServePort> List(ServerSettings settings)
    {
        var ports = new List<ServePort>
        {
            new(ProtocolType.Tcp, settings.Server.HttpPort, settings.Address, "Server:HttpPort, HTTP and tracker"),
            new(ProtocolType.Tcp, settings.Server.PeerPort, settings.Address, "Server:PeerPort, origin seeder"),
        };
        if (settings.Tracker.UdpPort != 0)
        {
            ports.Add(new(ProtocolType.Udp, settings.Tracker.UdpPort, settings.Address, "Tracker:UdpPort, UDP tracker"));
        }
        if (settings.NetBoot is { } netBoot)
        {
            if (netBoot.Tftp)
            {
                ports.Add(new(ProtocolType.Udp, netBoot.TftpPort, IPAddress.Any, "NetBoot:TftpPort, TFTP"));
            }
            if (netBoot.Dhcp is DhcpMode)
            {
                ports.Add(new(ProtocolType.Udp, 67, IPAddress.Any, "DHCP"));
                ports.Add(new(ProtocolType.Udp, PxePort, IPAddress.Any, "PXE boot server"));
            }
        }
        return ports;
    }

    /// <summary>One line per port another process holds, e.g. "UDP 69 (NetBoot:TftpPort, TFTP) is held by in.tftpd (pid 812): systemctl disable --now tftpd-hpa".</summary>
    public static IReadOnlyList<string> Conflicts(ServerSettings settings) =>
        List(settings).Select(p => PortHolders.Describe(p.Protocol, p.Port, p.Address, p.Purpose)).OfType<string>().ToList();
}
