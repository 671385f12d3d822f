using EzioPxe.Engine.Pieces;
using EzioPxe.Engine.Wire;

namespace EzioPxe.Engine.Peers;

/// <summary>
/// What a connection reports to whoever owns the peer's swarm state (the session): each message
/// in order, and each block just before and after it goes out. Called on the connection's loops.
/// </summary>
internal interface IPeerHandler
{
    /// <summary>One message from the peer; its payload is valid only during the call.</summary>
    void OnMessage(in PeerMessage message);

    /// <summary>The last word on a queued block: false when the peer cancelled it or was choked since.</summary>
    bool ShouldSendBlock(int piece, int offset, int length);

    /// <summary>
    /// Lends a block queued without data where it lies in memory (a cached piece), held there until
    /// the send loop releases it once sent; false when that memory is gone. Never reads a disk: the
    /// send loop must not wait on one.
    /// </summary>
    bool TryLendBlock(int piece, int offset, int length, out PieceCache.CachedBlock block);

    /// <summary>A block queued without data was no longer in memory and was not sent; its owner reads it and queues it again.</summary>
    void OnBlockNotInMemory(int piece, int offset, int length);

    /// <summary>A block was written to the socket's buffer.</summary>
    void OnBlockSent(int piece, int offset, int length);
}
