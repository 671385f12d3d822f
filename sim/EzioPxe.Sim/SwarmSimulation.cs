using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using EzioPxe.Engine.Metainfo;
using EzioPxe.Engine.Swarm;
using EzioPxe.Engine.Tracker;
using EzioPxe.Engine.Wire;
using EzioPxe.Server.Tracker;

namespace EzioPxe.Sim;

/// <summary>
/// One room in virtual time: the origin seeder and N clients, each a real <see cref="TorrentSession"/>
/// configured as the server's OriginSeeder and the client's DeploymentAgent configure theirs, the
/// server's <see cref="TorrentSwarm"/> handing out peer lists, and <see cref="SimNetwork"/> between them.
/// Single-threaded and seeded: the same settings give the same result.
/// </summary>
internal sealed class SwarmSimulation
{
    private const int Port = 6881;

    // The tracker's defaults (server/Configuration/TrackerOptions.cs) and the client's numwant (AnnounceRequest).
    private static readonly TimeSpan AnnounceInterval = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan MinAnnounceInterval = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan PeerTimeout = TimeSpan.FromSeconds(75);
    private const int NumWant = 200;
    private const int OriginUntilSeeders = 3;


    private readonly SimSettings _settings;
    private readonly VirtualClock _clock = new();
    private readonly EventQueue _events = new();
    private readonly Random _random;
    private readonly SimNetwork _network;
    private readonly TorrentSwarm _tracker;
    private readonly Torrent _torrent;
    private readonly SimHost _origin;
    private readonly List<SimHost> _clients = new();
    private readonly SharedZeroPool _pool;
    private int _done;

    /// <summary>What the machines had at the moments of <see cref="SimSettings.Snapshots"/> (null without them).</summary>
    public SimSnapshots? Snapshots { get; }

    public IReadOnlyList<SimHost> Clients => _clients;

    public SwarmSimulation(SimSettings settings)
    {
        _settings = settings;
        _random = new Random(settings.Seed);
        var image = settings.ImageBytes;
        var pieceLength = settings.PieceLength;
        if (pieceLength < PieceDownload.BlockSize || image % pieceLength != 0)
        {
            throw new ArgumentException($"the piece size ({pieceLength} bytes) must be at least one block and divide the image ({image} bytes)");
        }
        _torrent = ZeroTorrent(image, pieceLength);
        _pool = new SharedZeroPool(Math.Max(pieceLength, 16)); // the length every session's own pool would have
        var bytesPerMicrosecond = settings.LinkMbit * 1e6 / 8 / 1e6 / settings.FrameOverhead;
        _network = new SimNetwork(_clock, _events, (long)(settings.LatencyMilliseconds * 1000), (long)(settings.QueueMilliseconds * 1000),
            Math.Max(PeerMessageParser.MaxBlockLength + 9, Math.Max((_torrent.Info.PieceCount + 7) / 8 + 1, 256 * 1024)))
        {
            Trace = settings.Trace ? new SimTrace(settings.ImageSeconds / 10) : null,
            Uplinks = settings.Uplinks,
            ControlFirst = settings.ControlFirst,
        };
        Snapshots = settings.Snapshots.Count > 0 ? new SimSnapshots(settings.Snapshots) : null;
        _tracker = new TorrentSwarm(_torrent.InfoHash, _torrent.Info.Name, image, new Random(_random.Next()));

        var origin = new TorrentSession(_torrent, new ZeroStorage(), new SessionOptions
        {
            PeerId = NewPeerId(),
            ListenPort = Port,
            ExistingData = ExistingData.Complete,
            ConnectWhenSeeding = false,
            SuperSeeding = settings.SuperSeeding,
            SuperSeedingPiecesPerPeer = settings.SuperSeedingPiecesPerPeer ?? new SessionOptions().SuperSeedingPiecesPerPeer,
            SuperSeedingPiecesInFlight = settings.SuperSeedingPiecesInFlight ?? new SessionOptions().SuperSeedingPiecesInFlight,
            CycleWhenFull = true,
            Clock = _clock,
            RandomSeed = _random.Next(),
            BufferPool = _pool,
        });
        _origin = new SimHost(0, new IPEndPoint(IPAddress.Parse("10.0.0.1"), Port), origin, bytesPerMicrosecond, supportsFast: true);
        _network.Add(_origin);
        _tracker.SetOrigin(origin.PeerId, Port);

        for (var i = 0; i < settings.Machines; i++)
        {
            var session = new TorrentSession(_torrent, new ZeroStorage(), new SessionOptions
            {
                PeerId = NewPeerId(),
                ListenPort = Port,
                ExistingData = ExistingData.None,
                DownloadMemory = settings.ClientDownloadMemory,
                ReadCacheMemory = settings.ClientReadCacheMemory,
                Clock = _clock,
                RandomSeed = _random.Next(),
                BufferPool = _pool,
            }.Tuned(settings));
            var address = new IPAddress(new byte[] { 10, 1, (byte)(i / 250), (byte)(i % 250 + 1) });
            var host = new SimHost(i + 1, new IPEndPoint(address, Port), session, bytesPerMicrosecond, supportsFast: i >= settings.ClientsWithoutFast);
            _clients.Add(host);
            _network.Add(host);
            session.PieceCompleted += _ => OnPieceCompleted(host);
        }
    }

    public SimResult Run()
    {
        var wall = Stopwatch.StartNew();
        var go = VirtualClock.Start;
        _origin.Session.StartSimulated();
        StartTimer(_origin, go);
        foreach (var client in _clients)
        {
            var start = go + (long)((_settings.StartFirstSeconds + _random.NextDouble() * (_settings.StartLastSeconds - _settings.StartFirstSeconds)) * 1e6);
            _events.At(start, () =>
            {
                client.Session.StartSimulated();
                Announce(client, TrackerEvent.Started);
            });
            StartTimer(client, start);
        }
        var limit = go + (long)(_settings.TimeLimitFactor * _settings.ImageSeconds * 1e6);
        var step = _settings.StepMicroseconds;
        var now = go;
        var inEvents = new Stopwatch();
        var inNetwork = new Stopwatch();
        while (true)
        {
            _clock.Microseconds = now;
            inEvents.Start();
            _events.RunUntil(now);
            inEvents.Stop();
            if (_settings.MissingAtSeconds is double missingAt && _clock.Seconds >= missingAt && !_dumped)
            {
                // What the unfinished machines lack then (each piece with how many machines hold it) and what they are fetching.
                _dumped = true;
                var pieces = _torrent.Info.PieceCount;
                var holders = Enumerable.Range(0, pieces).Select(p => _clients.Count(c => c.Session.Has(p))).ToArray();
                foreach (var c in _clients.Where(c => c.CompletedAt == null))
                {
                    var lacks = Enumerable.Range(0, pieces).Where(p => !c.Session.Has(p)).Select(p => $"{p}({holders[p]})");
                    Console.Error.WriteLine($"host {c.Index} lacks {string.Join(" ", lacks)}; active {c.Session.DescribeDownloads()}");
                }
            }
            if (Snapshots?.NextDue(_settings.ImageSeconds) is double due && _clock.Seconds >= due)
            {
                Snapshots.Take(_clients, _network.Connections);
            }
            if (_done == _clients.Count || now >= limit)
            {
                break;
            }
            if (_network.HasTraffic)
            {
                now += step;
                _clock.Microseconds = now;
                inNetwork.Start();
                _network.Step(step);
                inNetwork.Stop();
            }
            else if (_events.TryPeekTime(out var next))
            {
                now = Math.Max(now + 1, next);
            }
            else
            {
                break;
            }
        }
        if (Environment.GetEnvironmentVariable("EZIOPXE_SIM_DEBUG") != null)
        {
            Console.Error.WriteLine($"wall: sessions and events {inEvents.Elapsed.TotalSeconds:0.0} s, network {inNetwork.Elapsed.TotalSeconds:0.0} s; {_network.Connections.Count} connections made");
            foreach (var host in _network.Hosts)
            {
                var st = host.Session.GetStatus();
                Console.Error.WriteLine($"host {host.Index}: {st.PiecesHave}/{st.PieceCount} peers {st.Peers} down {st.Downloaded} up {st.Uploaded}");
                foreach (var c in _network.Connections.Where(c => c.Local == host && c.Peer != null && !c.IsClosing))
                {
                    var p = c.Peer!;
                    Console.Error.WriteLine($"   to {c.Remote.Index}: amChoking {p.AmChoking} peerChoking {p.PeerChoking} amInt {p.AmInterested} peerInt {p.PeerInterested} pending {p.Pending.Count} queuedUp {p.QueuedUploads} has {p.PeerHave?.Count} revealed {p.Revealed.Count} demand {c.Demand} active {c.IsActive}");
                }
            }
        }
        if (Snapshots != null)
        {
            Console.Error.Write(Snapshots.Describe(_clients));
        }
        if (_network.Trace != null)
        {
            Console.Error.Write(_network.Trace.Describe(_settings.ImageSeconds));
        }
        var progress = _origin.Session.SuperSeedProgress;
        return new SimResult(_settings, _clients.Select(c => c.CompletedAt).ToList(), _origin.Session.GetStatus().Uploaded,
            _clients.Sum(c => c.Session.GetStatus().Wasted), progress.Ended ? _superSeedingEndedAt : null, _clock.Seconds, wall.Elapsed.TotalSeconds);
    }

    private double? _superSeedingEndedAt;
    private bool _dumped;

    /// <summary>The session's once-a-second timer, from its start.</summary>
    private void StartTimer(SimHost host, long start)
    {
        void Fire()
        {
            host.Session.OnTimer();
            host.Session.ServeQueuedUploads();
            if (host == _origin && _superSeedingEndedAt == null && _origin.Session.SuperSeedProgress.Ended)
            {
                _superSeedingEndedAt = _clock.Seconds;
            }
            _events.At(_clock.Microseconds + 1_000_000, Fire);
        }
        _events.At(start + 1_000_000, Fire);
    }

    private void OnPieceCompleted(SimHost host)
    {
        if (++host.PiecesDone == _torrent.Info.PieceCount)
        {
            _network.Trace?.OnCompleted(_clock.Seconds);
            host.CompletedAt = _clock.Seconds;
            _done++;
            // As TrackerAnnouncer does: "completed" at once.
            _events.At(_clock.Microseconds, () => Announce(host, TrackerEvent.Completed, reschedule: false));
        }
    }

    /// <summary>
    /// An announce as TrackerAnnouncer makes it (it is HTTP, so its loop is modelled here; the peer
    /// list comes from the server's own TorrentSwarm): the peers are added to the session, and the
    /// next announce follows at the tracker's interval.
    /// </summary>
    private void Announce(SimHost host, TrackerEvent trackerEvent, bool reschedule = true)
    {
        var status = host.Session.GetStatus();
        var left = status.BytesTotal - status.BytesHave;
        var query = new AnnounceQuery(_torrent.InfoHash, host.Session.PeerId, Port, status.Uploaded, status.Downloaded, left, trackerEvent, NumWant, Compact: true, NoPeerId: true);
        var answer = _tracker.Announce(query, host.EndPoint.Address, _origin.EndPoint.Address, _clock.GetUtcNow().UtcDateTime, NumWant, PeerTimeout, OriginUntilSeeders);
        foreach (var peer in answer.Peers)
        {
            host.Session.AddPeer(peer.EndPoint);
        }
        host.Session.ServeQueuedUploads();
        if (reschedule)
        {
            var wait = left > 0 && answer.Peers.Count == 0 ? MinAnnounceInterval : AnnounceInterval;
            _events.At(_clock.Microseconds + (long)wait.TotalMicroseconds, () => Announce(host, TrackerEvent.None));
        }
    }

    private byte[] NewPeerId()
    {
        var id = new byte[20];
        "-EZ0100-"u8.CopyTo(id);
        _random.NextBytes(id.AsSpan(8));
        return id;
    }

    /// <summary>A single-file torrent of zeros: every piece hashes alike, and the storage is <see cref="ZeroStorage"/>.</summary>
    private static Torrent ZeroTorrent(long length, int pieceLength)
    {
        var pieces = (int)(length / pieceLength);
        var hash = SHA1.HashData(new byte[pieceLength]);
        var hashes = new byte[pieces * 20];
        for (var i = 0; i < pieces; i++)
        {
            hash.CopyTo(hashes, i * 20);
        }
        var bytes = new TorrentBuilder
        {
            Name = "sim.img",
            PieceLength = pieceLength,
            Files = [("sim.img", length)],
            PieceHashes = hashes,
            SingleFile = true,
        }.Build();
        return Torrent.Parse(bytes);
    }
}
