using System.Collections.Concurrent;
using System.Net;
using EzioPxe.Engine.Metainfo;
using EzioPxe.Server.Configuration;
using Microsoft.Extensions.Logging;

namespace EzioPxe.Server.Tracker;

/// <summary>
/// The tracker: answers announces and scrapes for the torrents this server serves, and only
/// those (it is not an open tracker; an unknown info-hash gets a "failure reason").
/// </summary>
public sealed class TrackerService(TrackerOptions options, ILogger<TrackerService> logger)
{
    private readonly ConcurrentDictionary<InfoHash, TorrentSwarm> _swarms = new();

    public TrackerOptions Options { get; } = options;

    public TimeSpan Interval => TimeSpan.FromSeconds(Options.IntervalSeconds);

    public TimeSpan MinInterval => TimeSpan.FromSeconds(Options.MinIntervalSeconds);

    public TimeSpan PeerTimeout => TimeSpan.FromSeconds(Options.PeerTimeoutSeconds);

    public TorrentSwarm Register(Torrent torrent) =>
        _swarms.GetOrAdd(torrent.InfoHash, h => new TorrentSwarm(h, torrent.Info.Name, torrent.Info.TotalLength));

    public TorrentSwarm? Find(InfoHash infoHash) => _swarms.GetValueOrDefault(infoHash);

    public IReadOnlyCollection<TorrentSwarm> Swarms => (IReadOnlyCollection<TorrentSwarm>)_swarms.Values;

    /// <summary>Handles GET /announce?QUERY from <paramref name="remote"/>; returns the bencoded body.</summary>
    public byte[] HandleAnnounce(ReadOnlySpan<char> query, IPAddress remote, IPAddress local)
    {
        if (!AnnounceQuery.TryParse(query, out var announce, out var error))
        {
            logger.LogDebug("tracker: bad announce from {Remote}: {Error}", remote, error);
            return TrackerResponses.Failure("bad announce: " + error);
        }
        if (!_swarms.TryGetValue(announce.InfoHash, out var swarm))
        {
            logger.LogDebug("tracker: announce from {Remote} for unknown torrent {InfoHash}", remote, announce.InfoHash);
            return TrackerResponses.Failure($"unknown torrent {announce.InfoHash.ToHex()}: this tracker serves only its own images");
        }
        remote = remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote;
        local = local.IsIPv4MappedToIPv6 ? local.MapToIPv4() : local;
        var numWant = Math.Clamp(announce.NumWant ?? Options.DefaultPeers, 0, Options.MaxPeers);
        var result = swarm.Announce(announce, remote, local, DateTime.UtcNow, numWant, PeerTimeout, Options.OriginUntilSeeders, Options.PeersPerAddress);
        logger.LogDebug("tracker: {Torrent} {Event} from {Remote}:{Port} left {Left}: {Peers} peers", swarm.Name, announce.Event, remote, announce.Port, announce.Left, result.Peers.Count);
        return TrackerResponses.Announce(result, announce, Interval, MinInterval);
    }

    /// <summary>Handles GET /scrape?info_hash=..[&amp;info_hash=..]; without info_hash, every torrent (BEP 48).</summary>
    public byte[] HandleScrape(ReadOnlySpan<char> query)
    {
        var parameters = QueryParameters.Parse(query, out var error);
        if (parameters == null)
        {
            return TrackerResponses.Failure("bad scrape: " + error);
        }
        var wanted = parameters.GetAll("info_hash").ToList();
        var now = DateTime.UtcNow;
        if (wanted.Count == 0)
        {
            return TrackerResponses.Scrape(_swarms.Values.Select(s => (s.InfoHash.Span.ToArray(), s.Scrape(now, PeerTimeout))));
        }
        var entries = new List<(byte[], SwarmCounts)>();
        foreach (var hash in wanted.DistinctBy(h => Convert.ToHexString(h)))
        {
            if (hash.Length != InfoHash.Length)
            {
                return TrackerResponses.Failure($"bad scrape: info_hash is {hash.Length} bytes, not 20");
            }
            // Unknown torrents are left out of "files", as BEP 48 trackers do.
            if (_swarms.TryGetValue(new InfoHash(hash), out var swarm))
            {
                entries.Add((hash, swarm.Scrape(now, PeerTimeout)));
            }
        }
        return TrackerResponses.Scrape(entries);
    }
}
