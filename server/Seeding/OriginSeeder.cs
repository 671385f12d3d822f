using System.Net.Sockets;
using System.Net;
using EzioPxe.Engine.Peers;
using EzioPxe.Engine.Swarm;
using EzioPxe.Server.Configuration;
using EzioPxe.Server.Tracker;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

using EzioPxe.Server.Http;

namespace EzioPxe.Server.Seeding;

/// <summary>
/// Seeds every configured image from its source with the engine, on one peer port. It does not
/// announce over HTTP to its own tracker: the tracker is told directly (<see cref="TorrentSwarm.SetOrigin"/>).
/// </summary>
public sealed class OriginSeeder(ServerSettings settings, ImageCatalog catalog, TrackerService tracker, ILoggerFactory loggers) : IHostedService, IAsyncDisposable
{
    private readonly ILogger _logger = loggers.CreateLogger<OriginSeeder>();
    private readonly List<SeededImage> _seeded = new();
    private PeerListener? _listener;

    public IReadOnlyList<SeededImage> Seeded => _seeded;

    public int Port => _listener?.Port ?? 0;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            _listener = new PeerListener(new IPEndPoint(settings.Address, settings.Server.PeerPort), loggers.CreateLogger<PeerListener>())
            {
                AcceptFilter = settings.AllowedNetworks.Count > 0 ? settings.IsAllowed : null,
            };
        }
        catch (SocketException e)
        {
            throw new BindFailedException($"Server:PeerPort: cannot listen on {settings.Address}:{settings.Server.PeerPort}: {e.Message}", e);
        }
        foreach (var image in catalog.Images)
        {
            var storage = image.OpenStorage();
            var options = new Engine.Swarm.SessionOptions
            {
                ExistingData = ExistingData.Complete,
                ListenPort = _listener.Port,
                // The origin only answers: the machines dial it, it has no one to dial.
                ConnectWhenSeeding = false,
                // Its uplink is the room's bottleneck: each piece should leave it about once.
                SuperSeeding = true,
                // A room larger than the connection cap is served in turns, not first come, first kept.
                CycleWhenFull = true,
            };
            var session = new TorrentSession(TorrentAnnounce.With(image.Torrent, announce: null), storage, options, loggers.CreateLogger("EzioPxe.Seeder." + image.Name));
            _listener.Register(session);
            await session.StartAsync();
            tracker.Register(image.Torrent).SetOrigin(session.PeerId, _listener.Port);
            _seeded.Add(new SeededImage(image, session, storage));
            _logger.LogInformation("seeding {Name} ({Bytes} bytes) on port {Port}", image.Name, image.Torrent.Info.TotalLength, _listener.Port);
        }
        _listener.Start();
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var seeded in _seeded)
        {
            var status = seeded.Session.GetStatus();
            _logger.LogInformation("stopping seeder of {Name}: uploaded {Uploaded} bytes ({Ratio:0.00} x the image)", seeded.Image.Name, status.Uploaded,
                status.BytesTotal == 0 ? 0 : (double)status.Uploaded / status.BytesTotal);
        }
        await DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_listener != null)
        {
            await _listener.DisposeAsync();
            _listener = null;
        }
        foreach (var seeded in _seeded)
        {
            await seeded.Session.DisposeAsync();
            await seeded.Storage.DisposeAsync();
        }
        _seeded.Clear();
    }
}
