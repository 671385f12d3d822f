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
        return _swarm.Announce(query, IPAddress.Parse($"10.0.{n / 250}.{n % 250}"), Local, at ?? _now, numWant, Timeout, originUntilSeeders);
    }

    [Fact]
    public void Origin_comes_first_until_enough_machines_were_seen_completing_and_is_never_given_to_seeders()
    {
        _swarm.SetOrigin(PeerId(0), 6881);
        var origin = new IPEndPoint(Local, 6881);
        Assert.Contains(Announce(1, left: 1000).Peers, p => p.IsOrigin && p.EndPoint.Equals(origin));
        Announce(2, left: 10);
        Announce(2, left: 0);
        Assert.True(Announce(1, left: 500).Peers[0].IsOrigin);
        Announce(3, left: 10);
        Announce(3, left: 0);
        // Two machines were seen going from needing data to complete: the origin moves behind them,
        // but a machine that still needs data always has it in its list.
        var later = Announce(1, left: 500).Peers;
        Assert.False(later[0].IsOrigin);
        Assert.True(later[^1].IsOrigin);
        // A seeder gets neither the origin nor other seeders: they have nothing for each other.
        var seederView = Announce(2, left: 0).Peers;
        Assert.DoesNotContain(seederView, p => p.IsOrigin || p.IsSeeder);
        Assert.Contains(seederView, p => p.EndPoint.Port == 6001);
    }

    [Fact]
    public void Peers_claiming_to_be_complete_do_not_hide_the_origin()
    {
        _swarm.SetOrigin(PeerId(0), 6881);
        for (var n = 2; n <= 10; n++)
        {
            Announce(n, left: 0, "completed");
        }
        var peers = Announce(1, left: 1000, numWant: 5).Peers;
        Assert.True(peers[0].IsOrigin, "nine bare left=0 claims took the origin's place");
        Assert.Equal(5, peers.Count);
        // Even with numWant 1 the one peer is the origin.
        Assert.True(Assert.Single(Announce(1, left: 1000, numWant: 1).Peers).IsOrigin);
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
    public void A_flood_from_one_address_churns_its_own_entries_and_a_full_swarm_drops_its_stalest_peer()
    {
        Announce(1, left: 10);
        var flooder = IPAddress.Parse("10.9.9.9");
        for (var n = 0; n < 10_000; n++)
        {
            Assert.True(AnnounceQuery.TryParse(Query(new byte[20], PeerId(100_000 + n), 7000 + n % 1000, 10), out var fake, out _));
            _swarm.Announce(fake, flooder, Local, _now.AddMilliseconds(n), 0, Timeout, 2, peersPerAddress: 4);
        }
        Assert.Equal(5, _swarm.Scrape(_now, Timeout).Incomplete); // machine 1 and the flooder's newest four
        // A new peer id on an address and port already known is that client restarted: one entry, not two.
        Announce(1, left: 10, at: _now.AddSeconds(10));
        Assert.True(AnnounceQuery.TryParse(Query(new byte[20], PeerId(50_000), 6001, 10), out var restarted, out _));
        _swarm.Announce(restarted, IPAddress.Parse("10.0.0.1"), Local, _now.AddSeconds(11), 0, Timeout, 2);
        Assert.Equal(5, _swarm.Scrape(_now.AddSeconds(11), Timeout).Incomplete);
        Assert.Contains(Announce(2, left: 10, at: _now.AddSeconds(20)).Peers, p => p.EndPoint.Port == 6001);

        // A peer id seen in a handshake, announced from another address, is another entry: the machine stays.
        Assert.True(AnnounceQuery.TryParse(Query(new byte[20], PeerId(1), 6001, 0, "stopped"), out var stop, out _));
        _swarm.Announce(stop, flooder, Local, _now.AddSeconds(21), 0, Timeout, 2);
        Assert.Contains(Announce(2, left: 10, at: _now.AddSeconds(22)).Peers, p => p.EndPoint.Port == 6001);

        // Full: every address at its cap, the swarm at MaxPeers; a newcomer still gets in.
        var swarm = new TorrentSwarm(new InfoHash(new byte[20]), "lab", 1000);
        for (var n = 0; n < TorrentSwarm.MaxPeers; n++)
        {
            Assert.True(AnnounceQuery.TryParse(Query(new byte[20], PeerId(n), 7000, 10), out var peer, out _));
            swarm.Announce(peer, IPAddress.Parse($"10.1.{n / 250}.{n % 250}"), Local, _now.AddMilliseconds(n), 0, Timeout, 2);
        }
        Assert.True(AnnounceQuery.TryParse(Query(new byte[20], PeerId(999_999), 7000, 10), out var stranger, out _));
        var result = swarm.Announce(stranger, IPAddress.Parse("10.2.0.1"), Local, _now.AddSeconds(20), 5, Timeout, 2);
        Assert.Equal(5, result.Peers.Count);
        Assert.Equal(TorrentSwarm.MaxPeers, swarm.Scrape(_now.AddSeconds(20), Timeout).Incomplete);
        Assert.DoesNotContain(swarm.Peers(_now.AddSeconds(20), Timeout), p => p.EndPoint.Address.Equals(IPAddress.Parse("10.1.0.0")));
    }
}
