using System.Net;
using EzioPxe.Engine.Metainfo;
using EzioPxe.Engine.Peers;
using EzioPxe.Engine.Storage;
using EzioPxe.Engine.Swarm;
using EzioPxe.TestSupport;

namespace EzioPxe.Engine.Tests.Swarm;

/// <summary>
/// Leechers of our engine in this process, each with its own loopback address (127.0.0.2, .3 ...,
/// as machines of a room have one address each), listener and target directory, all told about
/// the seeder and about each other (as the tracker would).
/// </summary>
internal sealed class LoopbackSwarm : IAsyncDisposable
{
    private readonly List<PeerListener> _listeners = new();
    private readonly List<IPieceStorage> _storages = new();

    private LoopbackSwarm(IReadOnlyList<string> targets) => Targets = targets;

    public List<TorrentSession> Leechers { get; } = new();

    /// <summary>What each leecher logged, shown for those that do not finish.</summary>
    public List<CollectingLogger> Logs { get; } = new();

    /// <summary>Each leecher's download directory, by index.</summary>
    public IReadOnlyList<string> Targets { get; }

    public static async Task<LoopbackSwarm> StartAsync(Torrent torrent, TempDirectory dir, IPEndPoint seeder, int count, string prefix = "l")
    {
        if (count > 250)
        {
            throw new ArgumentOutOfRangeException(nameof(count), "one 127.0.0.x address per leecher");
        }
        var swarm = new LoopbackSwarm(Enumerable.Range(0, count).Select(i => dir.File($"{prefix}{i}")).ToList());
        for (var i = 0; i < count; i++)
        {
            var address = AddressOf(i);
            var listener = new PeerListener(new IPEndPoint(address, 0));
            var storage = new FileSystemStorage(torrent.Info, swarm.Targets[i]);
            var log = new CollectingLogger();
            var session = new TorrentSession(torrent, storage, new SessionOptions { ExistingData = ExistingData.None, ListenPort = listener.Port, LocalAddress = address }, log);
            swarm.Logs.Add(log);
            listener.Register(session);
            listener.Start();
            swarm._listeners.Add(listener);
            swarm._storages.Add(storage);
            swarm.Leechers.Add(session);
        }
        foreach (var session in swarm.Leechers)
        {
            await session.StartAsync();
            session.AddPeer(seeder);
            foreach (var other in swarm._listeners)
            {
                session.AddPeer(other.EndPoint);
            }
        }
        return swarm;
    }

    /// <summary>127.0.0.2 for the first leecher, and so on; 127.0.0.1 is left to seeders.</summary>
    public static IPAddress AddressOf(int leecher) => new(new byte[] { 127, 0, 0, (byte)(leecher + 2) });

    /// <summary>Waits for every leecher; on timeout says which ones did not finish and how far they got.</summary>
    public async Task WaitForAllAsync(TimeSpan deadline)
    {
        try
        {
            await Task.WhenAll(Leechers.Select(s => s.Completion)).WaitAsync(deadline);
        }
        catch (TimeoutException)
        {
            var stuck = Leechers.Select((s, i) => (s, i)).Where(x => !x.s.Completion.IsCompleted)
                .Select(x => $"leecher {x.i}: {x.s.GetStatus()}\n{string.Join('\n', Logs[x.i].Text.Split('\n').TakeLast(80))}");
            throw new TimeoutException($"not finished within {deadline}:\n{string.Join('\n', stuck)}");
        }
    }

    public long TotalUploaded => Leechers.Sum(s => s.GetStatus().Uploaded);

    public async ValueTask DisposeAsync()
    {
        foreach (var session in Leechers)
        {
            await session.DisposeAsync();
        }
        foreach (var listener in _listeners)
        {
            await listener.DisposeAsync();
        }
        foreach (var storage in _storages)
        {
            await storage.DisposeAsync();
        }
    }
}
