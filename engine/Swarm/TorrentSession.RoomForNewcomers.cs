using System.Net;

namespace EzioPxe.Engine.Swarm;

/// <summary>
/// A full session makes room for a peer that dials it. Without this the machines that start first
/// fill each other's slots (60 dialled + 10 accepted) and the rest of a large room, refused
/// everywhere, form an island of their own that the origin never reaches: in a simulated room of
/// 100 the last 29 machines had only each other and finished a quarter of S/B behind the others.
/// A peer of ours picked at random among those that send us nothing gives up its slot, so the
/// machines' connections stay a random mesh in which everyone has 60 to 70 peers however late it came.
/// </summary>
public sealed partial class TorrentSession
{
    /// <summary>
    /// How long an address that took or gave up a slot this way is not part of another such swap:
    /// the peer we dropped does not dial straight back and push out the next one, and a host that
    /// reconnects again and again cannot churn our peers.
    /// </summary>
    private const int RoomSwapCooldownMilliseconds = 60_000;

    /// <summary>Bound of the table of recent swaps; when it is full of live entries, nobody is pushed out.</summary>
    private const int MaxRoomSwapAddresses = 1024;

    private readonly Dictionary<IPAddress, long> _roomSwaps = new();
    private Random? _admissionRandom;

    /// <summary>
    /// The peer that gives its slot to a newcomer from <paramref name="newcomer"/>, or null (the
    /// newcomer is refused). Seeders stay (a machine needs them most), and so do peers that unchoke
    /// us and peers that took or gave a slot this way lately; among the rest, one that wants
    /// nothing from us, else any, at random.
    /// </summary>
    private SwarmPeer? PeerToMakeRoomFor(IPAddress newcomer, long now)
    {
        if (!Options.MakeRoomForNewcomers || RecentlySwapped(newcomer, now) || !RoomForSwapEntries(now))
        {
            return null;
        }
        // A peer sending to us now stays: the origin (super-seeding, it shows no full bitfield
        // but unchokes everyone) is one, and dropping it cost a room of 1,000 a third more of
        // the origin's uplink.
        var candidates = _peers.Where(p => !p.IsClosing && p.PeerChoking && p.PeerHave is { IsComplete: false }
            && !RecentlySwapped(p.RemoteEndPoint.Address, now)).ToList();
        var idle = candidates.Where(p => !p.PeerInterested).ToList();
        var from = idle.Count > 0 ? idle : candidates;
        if (from.Count == 0)
        {
            return null;
        }
        _admissionRandom ??= Options.RandomSeed is int seed ? new Random(seed ^ 0x5eed) : new Random();
        var evict = from[_admissionRandom.Next(from.Count)];
        _roomSwaps[newcomer] = now;
        _roomSwaps[evict.RemoteEndPoint.Address] = now;
        return evict;
    }

    private bool RecentlySwapped(IPAddress address, long now)
        => _roomSwaps.TryGetValue(address, out var at) && now - at < RoomSwapCooldownMilliseconds;

    /// <summary>Whether two more entries fit in the swap table, after dropping the expired ones.</summary>
    private bool RoomForSwapEntries(long now)
    {
        if (_roomSwaps.Count + 2 <= MaxRoomSwapAddresses)
        {
            return true;
        }
        foreach (var (address, at) in _roomSwaps.ToList())
        {
            if (now - at >= RoomSwapCooldownMilliseconds)
            {
                _roomSwaps.Remove(address);
            }
        }
        return _roomSwaps.Count + 2 <= MaxRoomSwapAddresses;
    }
}
