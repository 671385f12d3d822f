using System.Buffers;
using System.Buffers.Binary;

namespace EzioPxe.Engine.Wire;

/// <summary>Writes peer wire messages straight into an output buffer (a PipeWriter in practice).</summary>
public static class PeerMessageWriter
{
    public static void WriteKeepAlive(IBufferWriter<byte> output)
    {
        output.GetSpan(4)[..4].Clear();
        output.Advance(4);
    }

    /// <summary>Choke, unchoke, interested, not interested, have-all, have-none: an id and nothing else.</summary>
    public static void WriteSimple(IBufferWriter<byte> output, MessageId id)
    {
        var span = output.GetSpan(5);
        BinaryPrimitives.WriteInt32BigEndian(span, 1);
        span[4] = (byte)id;
        output.Advance(5);
    }

    /// <summary>Have, suggest, allowed-fast: an id and one piece index.</summary>
    public static void WriteIndex(IBufferWriter<byte> output, MessageId id, int piece)
    {
        var span = output.GetSpan(9);
        BinaryPrimitives.WriteInt32BigEndian(span, 5);
        span[4] = (byte)id;
        BinaryPrimitives.WriteInt32BigEndian(span[5..], piece);
        output.Advance(9);
    }

    /// <summary>Request, cancel, reject-request: piece, offset, length.</summary>
    public static void WriteBlockReference(IBufferWriter<byte> output, MessageId id, int piece, int offset, int length)
    {
        var span = output.GetSpan(17);
        BinaryPrimitives.WriteInt32BigEndian(span, 13);
        span[4] = (byte)id;
        BinaryPrimitives.WriteInt32BigEndian(span[5..], piece);
        BinaryPrimitives.WriteInt32BigEndian(span[9..], offset);
        BinaryPrimitives.WriteInt32BigEndian(span[13..], length);
        output.Advance(17);
    }

    public static void WriteBitfield(IBufferWriter<byte> output, ReadOnlySpan<byte> bits)
    {
        var span = output.GetSpan(5);
        BinaryPrimitives.WriteInt32BigEndian(span, 1 + bits.Length);
        span[4] = (byte)MessageId.Bitfield;
        output.Advance(5);
        output.Write(bits);
    }

    /// <summary>The 13-byte header of a piece message; the caller writes <paramref name="length"/> bytes of block data after it.</summary>
    /// <summary>Bytes before a block's data in a piece message: length prefix, id, index, offset.</summary>
    public const int PieceHeaderLength = 13;

    public static void WritePieceHeader(IBufferWriter<byte> output, int piece, int offset, int length)
    {
        WritePieceHeader(output.GetSpan(PieceHeaderLength), piece, offset, length);
        output.Advance(PieceHeaderLength);
    }

    /// <summary>Writes the header into the first <see cref="PieceHeaderLength"/> bytes of <paramref name="span"/>.</summary>
    public static void WritePieceHeader(Span<byte> span, int piece, int offset, int length)
    {
        BinaryPrimitives.WriteInt32BigEndian(span, 9 + length);
        span[4] = (byte)MessageId.Piece;
        BinaryPrimitives.WriteInt32BigEndian(span[5..], piece);
        BinaryPrimitives.WriteInt32BigEndian(span[9..], offset);
    }

    public static void WriteExtended(IBufferWriter<byte> output, byte extendedId, ReadOnlySpan<byte> payload)
    {
        var span = output.GetSpan(6);
        BinaryPrimitives.WriteInt32BigEndian(span, 2 + payload.Length);
        span[4] = (byte)MessageId.Extended;
        span[5] = extendedId;
        output.Advance(6);
        output.Write(payload);
    }
}
