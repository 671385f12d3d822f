using System.Net;

namespace EzioPxe.Server.Tracker;

/// <summary>What the tracker remembers of one peer of one torrent.</summary>
public sealed class TrackedPeer(byte[] peerId, IPEndPoint endPoint)
{
    public byte[] PeerId { get; } = peerId;

    /// <summary>The swarm's key: peer id and source address, so no host can take over another's entry by its peer id.</summary>
    public string Key { get; init; } = "";

    /// <summary>The address the announce came from and the port it named.</summary>
    public IPEndPoint EndPoint { get; set; } = endPoint;

    public long Left { get; set; }

    public long Uploaded { get; set; }

    public long Downloaded { get; set; }

    public DateTime LastSeen { get; set; }

    /// <summary>This server's own seeder: never expires, handed out per the origin policy.</summary>
    public bool IsOrigin { get; init; }

    /// <summary>Claims to have the whole image (left=0); any host can claim that.</summary>
    public bool IsSeeder => Left == 0;

    /// <summary>Announced with left &gt; 0 at some point: it really needed data from this swarm.</summary>
    public bool WasIncomplete { get; set; }

    /// <summary>
    /// A seeder the tracker saw become one: it announced needing data first, then left=0. Only
    /// these count toward sparing the origin; a bare left=0 claim costs an attacker nothing.
    /// </summary>
    public bool IsSeenSeeder => IsSeeder && WasIncomplete;
}
