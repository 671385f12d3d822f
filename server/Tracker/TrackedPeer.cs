using System.Net;

namespace EzioPxe.Server.Tracker;

/// <summary>What the tracker remembers of one peer of one torrent.</summary>
public sealed class TrackedPeer(byte[] peerId, IPEndPoint endPoint)
{
    public byte[] PeerId { get; } = peerId;

    /// <summary>The address the announce came from and the port it named.</summary>
    public IPEndPoint EndPoint { get; set; } = endPoint;

    public long Left { get; set; }

    public long Uploaded { get; set; }

    public long Downloaded { get; set; }

    public DateTime LastSeen { get; set; }

    /// <summary>This server's own seeder: never expires, handed out per the origin policy.</summary>
    public bool IsOrigin { get; init; }

    public bool IsSeeder => Left == 0;
}
