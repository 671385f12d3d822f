using System.Net;
using EzioPxe.Engine.Metainfo;
using EzioPxe.Engine.Peers;
using EzioPxe.Engine.Storage;
using EzioPxe.Engine.Swarm;
using EzioPxe.TestSupport;

namespace EzioPxe.Engine.Tests.Swarm;

/// <summary>Our seeder and our leechers over real loopback sockets.</summary>
public class OwnSwarmTests
{
    private static readonly long[] Sizes = { 3_000_001, 0, 17, 5 * 1024 * 1024 + 3, 1 << 20 };

    [Fact]
    public async Task A_leecher_downloads_a_multi_file_torrent_from_a_seeder()
    {
        using var dir = new TempDirectory();
        var torrent = Torrent.Parse(SampleContent.Create(dir.Path, "content", Sizes, 256 * 1024));
        await using var seeder = await OwnSeeder.StartAsync(torrent, dir.Path);
        var target = dir.File("leecher");
        await using (var storage = new FileSystemStorage(torrent.Info, target))
        await using (var leecher = new TorrentSession(torrent, storage, new SessionOptions { ExistingData = ExistingData.None }))
        {
            await leecher.StartAsync();
            leecher.AddPeer(seeder.EndPoint);
            await leecher.Completion.WaitAsync(TimeSpan.FromSeconds(60));
            var status = leecher.GetStatus();
            Assert.True(status.IsComplete);
            Assert.Equal(0, status.HashFailures);
        }
        SampleContent.AssertSameTree(Path.Combine(dir.Path, "content"), Path.Combine(target, "content"));
    }

    [Fact]
    public async Task Three_leechers_share_pieces_among_themselves()
    {
        using var dir = new TempDirectory();
        var torrent = Torrent.Parse(SampleContent.Create(dir.Path, "content", Sizes, 64 * 1024));
        await using var seeder = await OwnSeeder.StartAsync(torrent, dir.Path);
        var uploaded = await RunLeechers(torrent, dir, seeder, 3);
        Assert.True(uploaded > 0, "no leecher uploaded anything");
    }

    [Fact]
    public async Task A_super_seeding_origin_sends_little_more_than_one_copy_to_four_leechers()
    {
        using var dir = new TempDirectory();
        var torrent = Torrent.Parse(SampleContent.Create(dir.Path, "content", new long[] { 24 * 1024 * 1024 }, 256 * 1024));
        await using var seeder = await OwnSeeder.StartAsync(torrent, dir.Path, superSeeding: true);
        await RunLeechers(torrent, dir, seeder, 4);
        var origin = seeder.Session.GetStatus().Uploaded;
        // Without super-seeding the origin answers whatever each leecher asks first and sends about
        // three of the four copies here; with it, each piece leaves about once.
        Assert.InRange(origin, torrent.Info.TotalLength, torrent.Info.TotalLength * 3 / 2);
    }

    /// <summary>Starts <paramref name="count"/> leechers that know the seeder and each other; returns what they uploaded in total.</summary>
    private static async Task<long> RunLeechers(Torrent torrent, TempDirectory dir, OwnSeeder seeder, int count)
    {
        var listeners = new List<PeerListener>();
        var sessions = new List<TorrentSession>();
        try
        {
            for (var i = 0; i < count; i++)
            {
                var listener = new PeerListener(new IPEndPoint(IPAddress.Loopback, 0));
                var session = new TorrentSession(torrent, new FileSystemStorage(torrent.Info, dir.File($"l{i}")),
                    new SessionOptions { ExistingData = ExistingData.None, ListenPort = listener.Port });
                listener.Register(session);
                listener.Start();
                listeners.Add(listener);
                sessions.Add(session);
            }
            foreach (var session in sessions)
            {
                await session.StartAsync();
                session.AddPeer(seeder.EndPoint);
                foreach (var other in listeners)
                {
                    session.AddPeer(other.EndPoint);
                }
            }
            await Task.WhenAll(sessions.Select(s => s.Completion)).WaitAsync(TimeSpan.FromSeconds(90));
            for (var i = 0; i < count; i++)
            {
                SampleContent.AssertSameTree(Path.Combine(dir.Path, "content"), Path.Combine(dir.File($"l{i}"), "content"));
            }
            return sessions.Sum(s => s.GetStatus().Uploaded);
        }
        finally
        {
            foreach (var session in sessions)
            {
                await session.DisposeAsync();
            }
            foreach (var listener in listeners)
            {
                await listener.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_session_checking_existing_data_downloads_only_what_differs()
    {
        using var dir = new TempDirectory();
        var torrent = Torrent.Parse(SampleContent.Create(dir.Path, "content", Sizes, 64 * 1024));
        await using var seeder = await OwnSeeder.StartAsync(torrent, dir.Path);
        var target = dir.File("again");
        Directory.CreateDirectory(target);
        Tool.Run("cp", "-a", Path.Combine(dir.Path, "content"), target).EnsureSuccess("cp");
        // Damage 100 bytes in one file: one or two pieces must travel, not the whole torrent.
        using (var stream = File.OpenWrite(Path.Combine(target, "content", "file0.bin")))
        {
            stream.Position = 1_000_000;
            stream.Write(new byte[100]);
        }
        await using (var storage = new FileSystemStorage(torrent.Info, target))
        await using (var session = new TorrentSession(torrent, storage, new SessionOptions { ExistingData = ExistingData.Check }))
        {
            await session.StartAsync();
            session.AddPeer(seeder.EndPoint);
            await session.Completion.WaitAsync(TimeSpan.FromSeconds(60));
            var status = session.GetStatus();
            Assert.InRange(status.Downloaded, 1, 3 * torrent.Info.PieceLength);
        }
        SampleContent.AssertSameTree(Path.Combine(dir.Path, "content"), Path.Combine(target, "content"));
    }
}
