using System.Net;
using System.Net.Sockets;
using System.Text;
using EzioPxe.Contracts.Machines;

namespace EzioPxe.Server.WakeOnLan;

/// <summary>
/// Sends magic packets as UDP broadcasts to port 9 (discard), on one interface when one is named
/// (NetBoot:Interface, the room's LAN: SO_BINDTODEVICE keeps them off every other network),
/// else where the routing table sends 255.255.255.255. Each packet goes out three times: a
/// NIC in standby drops what arrives while its link renegotiates, and an extra wake is harmless.
/// </summary>
public sealed class WakeOnLanSender(string? interfaceName)
{
    public const int Port = 9;

    private const int Copies = 3;

    // Linux <asm-generic/socket.h>: SOL_SOCKET level and SO_BINDTODEVICE option.
    private const int SolSocket = 1;
    private const int SoBindToDevice = 25;

    public string? Interface => interfaceName;

    public void Send(IReadOnlyCollection<MacAddress> machines)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.EnableBroadcast = true;
        if (interfaceName != null)
        {
            socket.SetRawSocketOption(SolSocket, SoBindToDevice, Encoding.ASCII.GetBytes(interfaceName + "\0"));
        }
        var destination = new IPEndPoint(IPAddress.Broadcast, Port);
        for (var copy = 0; copy < Copies; copy++)
        {
            foreach (var mac in machines)
            {
                socket.SendTo(MagicPacket.For(mac), destination);
            }
        }
    }
}
