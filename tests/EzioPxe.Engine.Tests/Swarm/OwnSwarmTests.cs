using System.Net;
using EzioPxe.Engine.Metainfo;
using EzioPxe.Engine.Peers;
using EzioPxe.Engine.Storage;
using EzioPxe.Engine.Swarm;
using EzioPxe.TestSupport;

namespace EzioPxe.Engine.Tests.Swarm;

/// <summary>Our seeder and our leechers over real loopback sockets.</summary>
public class OwnSwarmTests(Xunit.Abstractions.ITestOutputHelper output)
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
        // Three copies were downloaded; what the leechers uploaded, they sent to each other. On
        // loopback the seeder is as fast as any leecher, so that is not most of it, but rarest
        // first from random starts makes the leechers hold different pieces early, and a real
        // share comes from each other: 43-49 % measured, at least a fifth asserted.
        var downloaded = 3 * torrent.Info.TotalLength;
        output.WriteLine($"leechers sent each other {uploaded} of {downloaded} bytes ({(double)uploaded / downloaded:P0}); the seeder sent {seeder.Uploaded}");
        Assert.True(uploaded >= downloaded / 5, $"the leechers sent each other {uploaded} of {downloaded} bytes");
        Assert.True(seeder.Uploaded < downloaded, $"the seeder sent {seeder.Uploaded} bytes: everything");
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

    [Fact]
    public async Task A_seeder_whose_cache_holds_one_piece_serves_four_leechers()
    {
        // Blocks queued from the cache often find their piece evicted by the time their turn comes
        // (in two of three runs when measured; it depends on timing) and go through the disk queue
        // instead; every leecher still gets every byte right.
        using var dir = new TempDirectory();
        var torrent = Torrent.Parse(SampleContent.Create(dir.Path, "content", Sizes, 64 * 1024));
        await using var seeder = await OwnSeeder.StartAsync(torrent, dir.Path, tune: o => o with { ReadCacheMemory = 1 });
        await RunLeechers(torrent, dir, seeder, 4);
        Assert.True(seeder.Uploaded >= torrent.Info.TotalLength);
    }

    /// <summary>Starts <paramref name="count"/> leechers that know the seeder and each other; returns what they uploaded in total.</summary>
    private static async Task<long> RunLeechers(Torrent torrent, TempDirectory dir, OwnSeeder seeder, int count)
    {
        await using var swarm = await LoopbackSwarm.StartAsync(torrent, dir, seeder.EndPoint, count);
        await swarm.WaitForAllAsync(TimeSpan.FromSeconds(90));
        foreach (var target in swarm.Targets)
        {
            SampleContent.AssertSameTree(Path.Combine(dir.Path, "content"), Path.Combine(target, "content"));
        }
        return swarm.TotalUploaded;
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
