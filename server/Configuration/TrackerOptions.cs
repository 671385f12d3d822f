namespace EzioPxe.Server.Configuration;

/// <summary>The "Tracker" section. Defaults suit a LAN: short intervals so machines find each other fast.</summary>
public sealed class TrackerOptions
{
    /// <summary>How often clients re-announce.</summary>
    public int IntervalSeconds { get; set; } = 20;

    /// <summary>The shortest re-announce a client should do (a new machine with no peers asks again this soon).</summary>
    public int MinIntervalSeconds { get; set; } = 5;

    /// <summary>A peer that has not announced for this long is dropped from peer lists (it was switched off).</summary>
    public int PeerTimeoutSeconds { get; set; } = 75;

    /// <summary>Peers returned when the announce has no numwant.</summary>
    public int DefaultPeers { get; set; } = 50;

    /// <summary>Most peers returned whatever numwant asks.</summary>
    public int MaxPeers { get; set; } = 200;

    /// <summary>
    /// The origin seeder is handed out while fewer than this many other peers have the whole
    /// image; after that the machines feed each other and the server's uplink is spared.
    /// </summary>
    public int OriginUntilSeeders { get; set; } = 3;

    /// <summary>
    /// Most peers one source address may stand for in a swarm (a machine is one peer). A new
    /// peer beyond it replaces that address's stalest entry, so a flood only churns itself.
    /// </summary>
    public int PeersPerAddress { get; set; } = Tracker.TorrentSwarm.DefaultPeersPerAddress;

    /// <summary>UDP port of the BEP 15 tracker; 0 leaves it off (served torrents name the HTTP tracker).</summary>
    public int UdpPort { get; set; }
}
