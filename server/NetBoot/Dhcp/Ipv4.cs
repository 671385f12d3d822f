using System.Buffers.Binary;
using System.Net;

namespace EzioPxe.Server.NetBoot.Dhcp;

/// <summary>IPv4 addresses as numbers, for ranges and subnets.</summary>
public static class Ipv4
{
    public static uint ToUInt32(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[4];
        if (!address.TryWriteBytes(bytes, out var written) || written != 4)
        {
            throw new ArgumentException($"{address} is not an IPv4 address");
        }
        return BinaryPrimitives.ReadUInt32BigEndian(bytes);
    }

    public static IPAddress FromUInt32(uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return new IPAddress(bytes);
    }

    public static bool SameSubnet(IPAddress a, IPAddress b, IPAddress mask) =>
        (ToUInt32(a) & ToUInt32(mask)) == (ToUInt32(b) & ToUInt32(mask));
}
