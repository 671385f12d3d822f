using System.Text;
using EzioPxe.Engine.Metainfo;

namespace EzioPxe.Engine.Wire;

/// <summary>The 68-byte BEP 3 handshake: protocol string, 8 reserved bytes (feature bits), info-hash, peer id.</summary>
public readonly record struct Handshake(InfoHash InfoHash, byte[] PeerId, bool SupportsExtensions, bool SupportsFast)
{
    public const int Length = 68;
    private static readonly byte[] Protocol = Encoding.ASCII.GetBytes("BitTorrent protocol");

    public void Write(Span<byte> destination)
    {
        destination[0] = 19;
        Protocol.CopyTo(destination[1..]);
        var reserved = destination.Slice(20, 8);
        reserved.Clear();
        if (SupportsExtensions)
        {
            reserved[5] |= 0x10; // BEP 10
        }
        if (SupportsFast)
        {
            reserved[7] |= 0x04; // BEP 6
        }
        InfoHash.Span.CopyTo(destination[28..]);
        PeerId.CopyTo(destination[48..]);
    }

    /// <summary>Parses a handshake; a wrong protocol string is a peer we do not speak to.</summary>
    public static Handshake Parse(ReadOnlySpan<byte> source)
    {
        if (source.Length < Length || source[0] != 19 || !source.Slice(1, 19).SequenceEqual(Protocol))
        {
            throw new PeerProtocolException("not a BitTorrent handshake");
        }
        var reserved = source.Slice(20, 8);
        return new Handshake(new InfoHash(source.Slice(28, 20)), source.Slice(48, 20).ToArray(),
            (reserved[5] & 0x10) != 0, (reserved[7] & 0x04) != 0);
    }
}
