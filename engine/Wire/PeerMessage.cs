using System.Buffers;

namespace EzioPxe.Engine.Wire;

/// <summary>
/// One framed message as parsed from the receive buffer. <see cref="Payload"/> points into that
/// buffer and is valid only until the reader advances; nothing is copied for block data.
/// </summary>
public readonly struct PeerMessage
{
    public PeerMessage(MessageId? id, ReadOnlySequence<byte> payload)
    {
        Id = id;
        Payload = payload;
    }

    /// <summary>Null for a keep-alive (a zero-length message).</summary>
    public MessageId? Id { get; }

    /// <summary>The bytes after the id.</summary>
    public ReadOnlySequence<byte> Payload { get; }
}
