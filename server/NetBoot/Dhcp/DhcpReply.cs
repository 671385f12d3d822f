using System.Net;

namespace EzioPxe.Server.NetBoot.Dhcp;

/// <summary>A reply to send and where to: broadcast, the client's address, or a relay.</summary>
public sealed record DhcpReply(byte[] Packet, IPEndPoint Destination)
{
    public DhcpMessage Parse() => DhcpMessage.TryParse(Packet, out var error) ?? throw new InvalidOperationException("unparsable reply: " + error);
}
