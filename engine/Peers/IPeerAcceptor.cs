using EzioPxe.Engine.Metainfo;
using EzioPxe.Engine.Wire;

namespace EzioPxe.Engine.Peers;

/// <summary>A torrent a <see cref="PeerListener"/> accepts connections for (a session).</summary>
public interface IPeerAcceptor
{
    InfoHash InfoHash { get; }

    /// <summary>Our handshake for this torrent, sent back to a peer that named it.</summary>
    Handshake OurHandshake { get; }

    /// <summary>Takes a connection whose handshakes were exchanged; it now owns it.</summary>
    void AttachIncoming(PeerConnection connection);
}
