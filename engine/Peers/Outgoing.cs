using System.Buffers;
using EzioPxe.Engine.Wire;

namespace EzioPxe.Engine.Peers;

/// <summary>What the writer loop should send; queued by the session, serialized by the connection.</summary>
internal readonly record struct Outgoing(OutgoingKind Kind, MessageId Id = default, int Piece = 0, int Offset = 0, int Length = 0, byte[]? Payload = null)
{
    public static Outgoing Simple(MessageId id) => new(OutgoingKind.Simple, id);

    public static Outgoing Index(MessageId id, int piece) => new(OutgoingKind.Index, id, piece);

    public static Outgoing BlockReference(MessageId id, int piece, int offset, int length) => new(OutgoingKind.BlockReference, id, piece, offset, length);

    /// <summary>
    /// A block. With <paramref name="data"/> (rented from <see cref="System.Buffers.ArrayPool{T}.Shared"/>,
    /// returned by the connection once sent) it is sent as given; without, the send loop borrows it
    /// from the owner's memory and hands it to the socket as it lies (<see cref="IPeerHandler.TryLendBlock"/>).
    /// </summary>
    public static Outgoing Block(int piece, int offset, int length, byte[]? data = null) => new(OutgoingKind.Block, MessageId.Piece, piece, offset, length, data);

    public static Outgoing Bitfield(byte[] bits) => new(OutgoingKind.Bitfield, MessageId.Bitfield, Payload: bits);

    public static Outgoing Extended(byte id, byte[] payload) => new(OutgoingKind.Extended, MessageId.Extended, id, Payload: payload);

    public static readonly Outgoing KeepAlive = new(OutgoingKind.KeepAlive);

    /// <summary>
    /// Writes this message to <paramref name="output"/> unless it is a block (whose bytes come from
    /// the sender's memory and need its handler); returns false for a block, having written nothing.
    /// One serializer for the TCP connection and the swarm simulator's.
    /// </summary>
    public bool TryWriteControl(IBufferWriter<byte> output)
    {
        switch (Kind)
        {
            case OutgoingKind.KeepAlive:
                PeerMessageWriter.WriteKeepAlive(output);
                return true;
            case OutgoingKind.Simple:
                PeerMessageWriter.WriteSimple(output, Id);
                return true;
            case OutgoingKind.Index:
                PeerMessageWriter.WriteIndex(output, Id, Piece);
                return true;
            case OutgoingKind.BlockReference:
                PeerMessageWriter.WriteBlockReference(output, Id, Piece, Offset, Length);
                return true;
            case OutgoingKind.Bitfield:
                PeerMessageWriter.WriteBitfield(output, Payload!);
                return true;
            case OutgoingKind.Extended:
                PeerMessageWriter.WriteExtended(output, (byte)Piece, Payload!);
                return true;
            default:
                return false;
        }
    }
}

internal enum OutgoingKind
{
    KeepAlive,
    Simple,
    Index,
    BlockReference,
    Block,
    Bitfield,
    Extended,
}
