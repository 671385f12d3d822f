namespace EzioPxe.Server.Tracker;

/// <summary>What the tracker answers an accepted announce with.</summary>
public sealed record AnnounceResult(IReadOnlyList<TrackedPeer> Peers, SwarmCounts Counts);
