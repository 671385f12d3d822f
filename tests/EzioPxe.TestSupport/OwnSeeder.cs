using System.Net;
using EzioPxe.Engine.Metainfo;
using EzioPxe.Engine.Peers;
using EzioPxe.Engine.Storage;
using EzioPxe.Engine.Swarm;
using Microsoft.Extensions.Logging;

namespace EzioPxe.TestSupport;

/// <summary>A seeding session of our engine on a loopback listener, over files in a directory.</summary>
public sealed record OwnSeeder(PeerListener Listener, TorrentSession Session, IPieceStorage Storage) : IAsyncDisposable
{
    public IPEndPoint EndPoint => Listener.EndPoint;

    public long Uploaded => Session.GetStatus().Uploaded;

    /// <param name="tune">Changes to the seeder's options (limits a test wants to reach quickly).</param>
    public static async Task<OwnSeeder> StartAsync(Torrent torrent, string directory, bool superSeeding = false, ILogger? logger = null, Func<SessionOptions, SessionOptions>? tune = null)
    {
        var listener = new PeerListener(new IPEndPoint(IPAddress.Loopback, 0));
        var storage = new FileSystemStorage(torrent.Info, directory, writable: false);
        var options = new SessionOptions { ExistingData = ExistingData.Complete, ListenPort = listener.Port, SuperSeeding = superSeeding };
        var session = new TorrentSession(torrent, storage, tune == null ? options : tune(options), logger);
        listener.Register(session);
        listener.Start();
        await session.StartAsync();
        return new OwnSeeder(listener, session, storage);
    }

    public async ValueTask DisposeAsync()
    {
        await Session.DisposeAsync();
        await Listener.DisposeAsync();
        await Storage.DisposeAsync();
    }
}
