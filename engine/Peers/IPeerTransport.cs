namespace EzioPxe.Engine.Peers;

/// <summary>
/// What the session needs of a peer's connection once handshaken: queue a message, close, and a
/// few facts about the other end. <see cref="PeerConnection"/> is the one over TCP; the swarm
/// simulator (sim/EzioPxe.Sim) has one over a simulated link in virtual time, so that the
/// session's own code decides everything it simulates.
/// </summary>
internal interface IPeerTransport
{
    System.Net.IPEndPoint RemoteEndPoint { get; }

    bool IsOutgoing { get; }

    byte[] RemotePeerId { get; }

    bool SupportsFast { get; }

    bool SupportsExtensions { get; }

    /// <summary>When we last sent anything to the peer, in the session's clock (for keep-alives).</summary>
    long LastSentTicks { get; set; }

    bool IsClosing { get; }

    /// <summary>Queues a message; never blocks (called under the session lock).</summary>
    void Send(Outgoing message);

    /// <summary>Closes the connection; safe to call any number of times from any thread.</summary>
    void Close();

    string Describe();
}
