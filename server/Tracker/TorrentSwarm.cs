using System.Net;
using EzioPxe.Engine.Metainfo;
using EzioPxe.Engine.Tracker;

namespace EzioPxe.Server.Tracker;

/// <summary>
/// The peers of one torrent the tracker knows. Thread-safe (one lock; a LAN swarm is small).
/// Any LAN host can announce, so the table is bounded per source address and in total, and a
/// full table drops its stalest entry rather than the newcomer: a flood only churns itself.
/// </summary>
/// <param name="random">Where the random peer lists come from; the swarm simulator passes a seeded one so runs repeat.</param>
public sealed class TorrentSwarm(InfoHash infoHash, string name, long totalLength, Random? random = null)
{
    private readonly Random _random = random ?? Random.Shared;
    /// <summary>More peers than any room has: beyond this, someone is flooding the tracker with made-up peer ids.</summary>
    public const int MaxPeers = 10_000;

    /// <summary>Tracker:PeersPerAddress's default: a machine is one peer; a restarted client is a second until the first expires.</summary>
    public const int DefaultPeersPerAddress = 4;

    private readonly object _lock = new();
    private readonly Dictionary<string, TrackedPeer> _peers = new(StringComparer.Ordinal);
    private byte[]? _originPeerId;
    private int _originPort;
    private int _downloaded;

    public InfoHash InfoHash { get; } = infoHash;

    public string Name { get; } = name;

    public long TotalLength { get; } = totalLength;

    /// <summary>
    /// Adds this server's seeder: always known, announced by no one. Its address in peer lists is
    /// the one the announce reached the server on, so it is right on every interface.
    /// </summary>
    public void SetOrigin(byte[] peerId, int port)
    {
        lock (_lock)
        {
            _originPeerId = peerId;
            _originPort = port;
        }
    }

    public bool HasOrigin => _originPeerId != null;

    /// <param name="local">The server address the announce arrived at: where peers reach the origin seeder.</param>
    /// <param name="peersPerAddress">Most peers one source address may stand for; beyond it the address's stalest entry goes.</param>
    public AnnounceResult Announce(AnnounceQuery query, IPAddress remote, IPAddress local, DateTime now, int numWant, TimeSpan peerTimeout, int originUntilSeeders,
        int peersPerAddress = DefaultPeersPerAddress)
    {
        var endPoint = new IPEndPoint(remote, query.Port);
        lock (_lock)
        {
            Expire(now - peerTimeout);
            // Peer id and source address: another host naming a machine's peer id (it is in every
            // handshake) gets an entry of its own, and "stopped" cannot remove anyone else's.
            var key = query.PeerKey + "@" + remote;
            if (query.Event == TrackerEvent.Stopped)
            {
                _peers.Remove(key);
                return new AnnounceResult([], Counts());
            }
            if (!_peers.TryGetValue(key, out var peer))
            {
                // A client restarted on the same address and port comes back with a new peer id:
                // its old entry is the same peer and would only appear twice in lists.
                foreach (var stale in _peers.Values.Where(p => p.EndPoint.Equals(endPoint)).ToList())
                {
                    _peers.Remove(stale.Key);
                }
                MakeRoomFor(remote, peersPerAddress);
                peer = new TrackedPeer(query.PeerId, endPoint) { Key = key };
                _peers[key] = peer;
            }
            var wasSeeder = peer.Left == 0 && peer.LastSeen != default;
            peer.EndPoint = endPoint;
            peer.Left = query.Left;
            peer.Uploaded = query.Uploaded;
            peer.Downloaded = query.Downloaded;
            peer.LastSeen = now;
            peer.WasIncomplete |= query.Left > 0;
            if (query.Event == TrackerEvent.Completed && !wasSeeder)
            {
                _downloaded++;
            }
            var origin = _originPeerId == null ? null
                : new TrackedPeer(_originPeerId, new IPEndPoint(local, _originPort)) { IsOrigin = true, LastSeen = now };
            return new AnnounceResult(SelectPeers(peer, origin, numWant, originUntilSeeders), Counts());
        }
    }

    /// <summary>Before a new peer joins: the stalest entry of its address goes when the address is at its cap, the stalest of all when the swarm is full.</summary>
    private void MakeRoomFor(IPAddress remote, int peersPerAddress)
    {
        var sameAddress = 0;
        TrackedPeer? stalestOfAddress = null;
        foreach (var other in _peers.Values)
        {
            if (other.EndPoint.Address.Equals(remote))
            {
                sameAddress++;
                if (stalestOfAddress == null || other.LastSeen < stalestOfAddress.LastSeen)
                {
                    stalestOfAddress = other;
                }
            }
        }
        if (sameAddress >= peersPerAddress && stalestOfAddress != null)
        {
            _peers.Remove(stalestOfAddress.Key);
        }
        if (_peers.Count >= MaxPeers)
        {
            _peers.Remove(_peers.Values.MinBy(p => p.LastSeen)!.Key);
        }
    }

    public SwarmCounts Scrape(DateTime now, TimeSpan peerTimeout)
    {
        lock (_lock)
        {
            Expire(now - peerTimeout);
            return Counts();
        }
    }

    /// <summary>A copy of the live peers (without the origin), for the status page.</summary>
    public IReadOnlyList<TrackedPeer> Peers(DateTime now, TimeSpan peerTimeout)
    {
        lock (_lock)
        {
            Expire(now - peerTimeout);
            return _peers.Values.ToList();
        }
    }

    /// <summary>
    /// A random subset up to <paramref name="numWant"/>, so that every machine gets a different
    /// slice of the room and the swarm stays one connected mesh rather than cliques. Never the
    /// requester itself (by peer id or address). The origin is in every list of a machine that
    /// still needs data, whatever other peers claim: first while fewer than
    /// <paramref name="originUntilSeeders"/> seeders were seen completing, after them otherwise.
    /// </summary>
    private List<TrackedPeer> SelectPeers(TrackedPeer requester, TrackedPeer? origin, int numWant, int originUntilSeeders)
    {
        var result = new List<TrackedPeer>(Math.Min(numWant, _peers.Count + 1));
        if (numWant <= 0)
        {
            return result;
        }
        var offerOrigin = origin != null && !requester.IsSeeder && originUntilSeeders > 0;
        var originFirst = offerOrigin && _peers.Values.Count(p => p.IsSeenSeeder && p != requester) < originUntilSeeders;
        if (originFirst)
        {
            result.Add(origin!);
        }
        var room = numWant - result.Count - (offerOrigin && !originFirst ? 1 : 0);
        var candidates = _peers.Values.Where(p => p != requester && !p.EndPoint.Equals(requester.EndPoint)
            // Two seeders have nothing to give each other.
            && !(requester.IsSeeder && p.IsSeeder)).ToArray();
        var take = Math.Min(room, candidates.Length);
        for (var i = 0; i < take; i++)
        {
            // Partial Fisher-Yates: the first `take` slots end up a uniform random sample.
            var j = _random.Next(i, candidates.Length);
            (candidates[i], candidates[j]) = (candidates[j], candidates[i]);
            result.Add(candidates[i]);
        }
        if (offerOrigin && !originFirst)
        {
            result.Add(origin!);
        }
        return result;
    }

    private SwarmCounts Counts()
    {
        var seeders = _peers.Values.Count(p => p.IsSeeder);
        return new SwarmCounts(seeders + (_originPeerId != null ? 1 : 0), _peers.Count - seeders, _downloaded);
    }

    private void Expire(DateTime before)
    {
        List<string>? gone = null;
        foreach (var (key, peer) in _peers)
        {
            if (peer.LastSeen < before)
            {
                (gone ??= new()).Add(key);
            }
        }
        gone?.ForEach(k => _peers.Remove(k));
    }
}
