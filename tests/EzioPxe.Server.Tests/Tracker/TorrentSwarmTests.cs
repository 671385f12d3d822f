using System.Net;
using EzioPxe.Engine.Metainfo;
using EzioPxe.Server.Tracker;
using static EzioPxe.Server.Tests.Tracker.TrackerClient;

namespace EzioPxe.Server.Tests.Tracker;

/// <summary>The peer-selection policy, without HTTP: who is handed out, when the origin is, expiry.</summary>
public sealed class TorrentSwarmTests
{
    private static readonly IPAddress Local = IPAddress.Parse("10.0.0.1");
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(75);
    private readonly TorrentSwarm _swarm = new(new InfoHash(new byte[20]), "lab", 1000);
    private readonly DateTime _now = new(2026, 1, 1, 8, 0, 0, DateTimeKind.Utc);

    private AnnounceResult Announce(int n, long left, string? trackerEvent = null, int numWant = 50, DateTime? at = null, int originUntilSeeders = 2)
    {
        Assert.True(AnnounceQuery.TryParse(Query(new byte[20], PeerId(n), 6000 + n, left, trackerEvent), out var query, out var error), error);
        return _swarm.Announce(query, IPAddress.Parse($"10.0.{n / 250}.{n % 250}"), Local, at ?? _now, numWant, Timeout, originUntilSeeders)
            ?? throw new InvalidOperationException("swarm full");
    }

    [Fact]
    public void Origin_is_handed_out_until_enough_machines_are_seeders_and_never_to_seeders()
    {
        _swarm.SetOrigin(PeerId(0), 6881);
        var origin = new IPEndPoint(Local, 6881);
        Assert.Contains(Announce(1, left: 1000).Peers, p => p.IsOrigin && p.EndPoint.Equals(origin));
        Announce(2, left: 0);
        Assert.Contains(Announce(1, left: 500).Peers, p => p.IsOrigin);
        Announce(3, left: 0);
        // Two other machines have everything now: the origin's uplink is spared.
        Assert.DoesNotContain(Announce(1, left: 500).Peers, p => p.IsOrigin);
        // A seeder gets neither the origin nor other seeders: they have nothing for each other.
        var seederView = Announce(2, left: 0).Peers;
        Assert.DoesNotContain(seederView, p => p.IsOrigin || p.IsSeeder);
        Assert.Contains(seederView, p => p.EndPoint.Port == 6001);
    }

    [Fact]
    public void Peer_lists_are_random_subsets_that_never_hold_the_requester()
    {
        for (var n = 1; n <= 30; n++)
        {
            Announce(n, left: 1000);
        }
        var seen = new HashSet<int>();
        for (var round = 0; round < 20; round++)
        {
            var peers = Announce(1, left: 1000, numWant: 5).Peers;
            Assert.Equal(5, peers.Count);
            Assert.DoesNotContain(peers, p => p.EndPoint.Port == 6001);
            Assert.Equal(5, peers.Select(p => p.EndPoint).Distinct().Count());
            seen.UnionWith(peers.Select(p => p.EndPoint.Port));
        }
        // 100 draws from 29 peers: a fixed slice would show 5 ports, random subsets nearly all of them.
        Assert.True(seen.Count > 15, $"only {seen.Count} distinct peers in 20 lists");
    }

    [Fact]
    public void Silent_peers_expire_and_stopped_peers_leave_at_once()
    {
        Announce(1, left: 10);
        Announce(2, left: 10, at: _now.AddSeconds(50));
        Assert.Contains(Announce(3, left: 10, at: _now.AddSeconds(60)).Peers, p => p.EndPoint.Port == 6001);
        Assert.DoesNotContain(Announce(3, left: 10, at: _now.AddSeconds(80)).Peers, p => p.EndPoint.Port == 6001);
        Assert.Contains(Announce(3, left: 10, at: _now.AddSeconds(81)).Peers, p => p.EndPoint.Port == 6002);
        Announce(2, left: 10, "stopped", at: _now.AddSeconds(82));
        Assert.Empty(Announce(3, left: 10, at: _now.AddSeconds(83)).Peers);
    }

    [Fact]
    public void A_peer_that_announces_twice_is_one_peer_and_completing_twice_counts_once()
    {
        Announce(1, left: 10, "started");
        Announce(1, left: 0, "completed");
        Announce(1, left: 0, "completed");
        var counts = _swarm.Scrape(_now, Timeout);
        Assert.Equal(new SwarmCounts(1, 0, 1), counts);
    }

    [Fact]
    public void A_flood_of_made_up_peers_stops_at_the_cap_while_known_peers_still_announce()
    {
        for (var n = 1; n <= TorrentSwarm.MaxPeers; n++)
        {
            Announce(n, left: 10, numWant: 0);
        }
        Assert.True(AnnounceQuery.TryParse(Query(new byte[20], PeerId(999_999), 7000, 10), out var stranger, out _));
        Assert.Null(_swarm.Announce(stranger, IPAddress.Loopback, Local, _now, 0, Timeout, 2));
        Assert.Empty(Announce(5, left: 0, numWant: 0).Peers);
        Assert.Equal(TorrentSwarm.MaxPeers, _swarm.Scrape(_now, Timeout).Incomplete + 1);
    }
}
