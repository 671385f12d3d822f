using System.Net;
using EzioPxe.Engine.Metainfo;
using EzioPxe.Engine.Storage;
using EzioPxe.Engine.Swarm;
using EzioPxe.Engine.Wire;
using EzioPxe.TestSupport;

namespace EzioPxe.Engine.Tests.Swarm;

/// <summary>
/// One host on the LAN tries to take a session's connection slots; real machines still get in.
/// Every peer here has its own 127.0.0.x address, as hosts of a LAN do.
/// </summary>
public class HostileLanTests
{
    private static readonly long[] Sizes = { 1024 * 1024 + 17 };

    [Fact]
    public async Task Seventy_idle_handshaken_connections_do_not_keep_a_real_leecher_out()
    {
        using var dir = new TempDirectory();
        var torrent = Torrent.Parse(SampleContent.Create(dir.Path, "content", Sizes, 64 * 1024));
        // Default limits (60 + 10 connections), a short idle time so the test need not wait 30 s.
        await using var seeder = await OwnSeeder.StartAsync(torrent, dir.Path, tune: o => o with { PeerIdleTimeout = TimeSpan.FromSeconds(2) });
        var capacity = seeder.Session.Options.MaxConnections + seeder.Session.Options.IncomingSlack;
        Assert.Equal(70, capacity);
        var idle = new List<RawPeer>();
        try
        {
            for (var i = 0; i < capacity; i++)
            {
                idle.Add(await RawPeer.ConnectAsync(seeder.EndPoint, torrent.InfoHash, from: Address(10 + i)));
            }
            await Poll.UntilAsync(() => seeder.Session.GetStatus().Peers == capacity, TimeSpan.FromSeconds(20), () => $"{seeder.Session.GetStatus().Peers} connected");

            await AssertALeecherCompletes(torrent, dir, seeder.EndPoint, Address(200));
            Assert.True(seeder.Session.GetStatus().Peers <= capacity);
        }
        finally
        {
            idle.ForEach(p => p.Dispose());
        }
    }

    [Fact]
    public async Task One_address_gets_at_most_its_share_of_connections()
    {
        using var dir = new TempDirectory();
        var torrent = Torrent.Parse(SampleContent.Create(dir.Path, "content", Sizes, 64 * 1024));
        await using var seeder = await OwnSeeder.StartAsync(torrent, dir.Path);
        var cap = seeder.Session.Options.MaxConnectionsPerAddress;
        var peers = new List<RawPeer>();
        try
        {
            for (var i = 0; i < cap + 6; i++)
            {
                peers.Add(await RawPeer.ConnectAsync(seeder.EndPoint, torrent.InfoHash, from: Address(5)));
            }
            var closed = await Task.WhenAll(peers.Select(p => p.IsClosedByRemoteAsync(TimeSpan.FromSeconds(3))));
            Assert.Equal(6, closed.Count(c => c));
            Assert.Equal(cap, seeder.Session.GetStatus().Peers);
        }
        finally
        {
            peers.ForEach(p => p.Dispose());
        }
        // Another address is not affected by that one's share.
        await AssertALeecherCompletes(torrent, dir, seeder.EndPoint, Address(6));
    }

    [Fact]
    public async Task A_full_origin_cycles_busy_peers_so_that_a_newcomer_gets_served()
    {
        using var dir = new TempDirectory();
        var torrent = Torrent.Parse(SampleContent.Create(dir.Path, "content", Sizes, 64 * 1024));
        // Two slots, both taken by peers that keep downloading (never idle): only cycling lets a third in.
        await using var seeder = await OwnSeeder.StartAsync(torrent, dir.Path, tune: o => o with
        {
            MaxConnections = 2, IncomingSlack = 0, CycleWhenFull = true, CycleAfter = TimeSpan.FromSeconds(1), PeerIdleTimeout = TimeSpan.FromHours(1),
        });
        var greedy = new List<RawPeer>();
        var busy = new List<Task>();
        try
        {
            for (var i = 0; i < 2; i++)
            {
                var peer = await RawPeer.ConnectAsync(seeder.EndPoint, torrent.InfoHash, from: Address(20 + i));
                greedy.Add(peer);
                busy.Add(KeepDownloadingAsync(peer));
            }
            await Poll.UntilAsync(() => seeder.Session.GetStatus().Uploaded > 0 && seeder.Session.GetStatus().Peers == 2, TimeSpan.FromSeconds(10), () => seeder.Session.GetStatus().ToString());
            await AssertALeecherCompletes(torrent, dir, seeder.EndPoint, Address(30));
            // At least one busy peer lost its slot to the newcomer.
            await Task.WhenAny(busy).WaitAsync(TimeSpan.FromSeconds(10));
        }
        finally
        {
            greedy.ForEach(p => p.Dispose());
        }
    }

    /// <summary>Asks for block 0 again and again: a peer that is never idle and never done.</summary>
    private static async Task KeepDownloadingAsync(RawPeer peer)
    {
        try
        {
            await peer.ReceiveHandshakeAsync();
            await peer.SendAsync(MessageId.Interested);
            while (true)
            {
                var (id, _) = await peer.ReceiveAsync();
                if (id is MessageId.Unchoke or MessageId.Piece)
                {
                    await Task.Delay(50);
                    await peer.SendAsync(MessageId.Request, 0, 0, 16 * 1024);
                }
            }
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or EndOfStreamException or ObjectDisposedException)
        {
            // Closed by the seeder (cycled out) or by the test.
        }
    }

    private static async Task AssertALeecherCompletes(Torrent torrent, TempDirectory dir, IPEndPoint seeder, IPAddress from)
    {
        var target = dir.File("leecher-" + from);
        await using (var storage = new FileSystemStorage(torrent.Info, target))
        await using (var leecher = new TorrentSession(torrent, storage, new SessionOptions { ExistingData = ExistingData.None, LocalAddress = from }))
        {
            await leecher.StartAsync();
            leecher.AddPeer(seeder);
            try
            {
                await leecher.Completion.WaitAsync(TimeSpan.FromSeconds(30));
            }
            catch (TimeoutException)
            {
                throw new TimeoutException($"the real leecher did not finish: {leecher.GetStatus()}");
            }
        }
        SampleContent.AssertSameTree(Path.Combine(dir.Path, "content"), Path.Combine(target, "content"));
    }

    private static IPAddress Address(int last) => new(new byte[] { 127, 0, 0, (byte)last });
}
