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

    /// <summary>A block was written to the socket's buffer.</summary>
    void OnBlockSent(int piece, int offset, int length);
}
