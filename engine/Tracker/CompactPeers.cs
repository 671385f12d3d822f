using System.Buffers.Binary;
using System.Net;

namespace EzioPxe.Engine.Tracker;

/// <summary>BEP 23 (IPv4, 6 bytes a peer) and BEP 7 (IPv6, 18 bytes a peer) compact peer lists.</summary>
public static class CompactPeers
{
    public static List<IPEndPoint> Parse(ReadOnlySpan<byte> bytes, bool ipv6)
    {
        var size = ipv6 ? 18 : 6;
        if (bytes.Length % size != 0)
        {
            throw new TrackerException($"compact peer list of {bytes.Length} bytes is not a multiple of {size}");
        }
        var peers = new List<IPEndPoint>(bytes.Length / size);
        for (var i = 0; i < bytes.Length; i += size)
        {
            var address = new IPAddress(bytes.Slice(i, size - 2));
            var port = BinaryPrimitives.ReadUInt16BigEndian(bytes.Slice(i + size - 2, 2));
            if (port != 0)
            {
                peers.Add(new IPEndPoint(address, port));
            }
        }
        return peers;
    }

    public static void Write(Span<byte> destination, IPEndPoint peer)
    {
        peer.Address.TryWriteBytes(destination, out var written);
        BinaryPrimitives.WriteUInt16BigEndian(destination[written..], (ushort)peer.Port);
    }
}
