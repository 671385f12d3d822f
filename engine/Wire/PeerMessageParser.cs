using System.Buffers;
using System.Buffers.Binary;

namespace EzioPxe.Engine.Wire;

/// <summary>
/// Cuts length-prefixed messages out of a receive buffer. Sizes are checked before anything is
/// buffered, so a peer announcing a 4 GiB message is dropped instead of being waited for.
/// </summary>
public static class PeerMessageParser
{
    /// <summary>A piece message carries at most one 16 KiB block; allow up to 128 KiB for peers that send bigger blocks.</summary>
    public const int MaxBlockLength = 128 * 1024;

    /// <summary>
    /// Tries to take one message from the front of <paramref name="buffer"/>.
    /// </summary>
    /// <param name="maxLength">Largest acceptable length prefix (the bitfield of a big torrent may exceed a block).</param>
    public static bool TryRead(ref ReadOnlySequence<byte> buffer, int maxLength, out PeerMessage message)
    {
        message = default;
        if (buffer.Length < 4)
        {
            return false;
        }
        Span<byte> prefix = stackalloc byte[4];
        buffer.Slice(0, 4).CopyTo(prefix);
        var length = BinaryPrimitives.ReadUInt32BigEndian(prefix);
        if (length > (uint)maxLength)
        {
            throw new PeerProtocolException($"message of {length} bytes exceeds the limit of {maxLength}");
        }
        if (buffer.Length < 4 + length)
        {
            return false;
        }
        if (length == 0)
        {
            message = new PeerMessage(null, ReadOnlySequence<byte>.Empty);
        }
        else
        {
            var id = (MessageId)buffer.Slice(4, 1).FirstSpan[0];
            message = new PeerMessage(id, buffer.Slice(5, length - 1));
        }
        buffer = buffer.Slice(4 + length);
        return true;
    }

    /// <summary>Reads the big-endian 32-bit integer at <paramref name="offset"/> of a payload.</summary>
    public static int ReadInt32(in ReadOnlySequence<byte> payload, int offset)
    {
        Span<byte> bytes = stackalloc byte[4];
        payload.Slice(offset, 4).CopyTo(bytes);
        return BinaryPrimitives.ReadInt32BigEndian(bytes);
    }
}
