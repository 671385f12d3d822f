using EzioPxe.Contracts.Machines;

namespace EzioPxe.Server.WakeOnLan;

/// <summary>
/// The Wake-on-LAN "magic packet" (AMD's Magic Packet technology): six 0xFF bytes, then the
/// target's MAC sixteen times. A NIC in standby scans every frame for this pattern, so the
/// UDP port and address only need to reach the wire.
/// </summary>
public static class MagicPacket
{
    public const int Length = 6 + 16 * 6;

    public static byte[] For(MacAddress mac)
    {
        var packet = new byte[Length];
        packet.AsSpan(0, 6).Fill(0xFF);
        var octets = mac.GetBytes();
        for (var i = 0; i < 16; i++)
        {
            octets.CopyTo(packet, 6 + i * 6);
        }
        return packet;
    }
}
