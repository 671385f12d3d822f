using System.Net;
using EzioPxe.Client.Tests.Disk;
using EzioPxe.Client.Tests.Storage;
using EzioPxe.Engine.Metainfo;
using EzioPxe.Engine.Peers;
using EzioPxe.Engine.Storage;
using EzioPxe.Engine.Swarm;
using EzioPxe.TestSupport;

namespace EzioPxe.Client.Tests.Deployment;

/// <summary>
/// The published NativeAOT client (out/client/eziopxe-client, made by ./build.sh client) deploys an
/// image torrent onto a real loop device with O_DIRECT, finding its seeder through opentracker.
/// </summary>
[Trait("Needs", "root")]
public class ClientDeploymentTests
{
    private const long DiskSize = 48L * 1024 * 1024;

    /// <summary>Extents at awkward offsets and lengths, like a real disk's used blocks plus a partition table.</summary>
    private static ImageTorrent MakeImage(string announce) => new(256 * 1024, new[]
    {
        (0L, ImageTorrent.Random(1024 * 1024, 1)),
        (0x10_0000L + 4096, ImageTorrent.Random(5 * 1024 * 1024 + 512, 2)),
        (0x90_0003L, ImageTorrent.Random(777_777, 3)),
        (0x1F0_0000L, ImageTorrent.Random(9 * 1024 * 1024, 4)),
        (DiskSize - 3 * 1024 * 1024, ImageTorrent.Random(3 * 1024 * 1024, 5)),
    }, DiskSize, announce: announce);

    [Theory]
    [InlineData("ours")]
    [InlineData("libtorrent")]
    public async Task The_client_writes_the_image_onto_a_loop_device_and_a_second_run_transfers_almost_nothing(string seederKind)
    {
        Assert.True(File.Exists(RepositoryPaths.ClientBinary), $"{RepositoryPaths.ClientBinary} is missing: run ./build.sh client first");
        using var area = new DiskTestArea();
        using var dir = new TempDirectory();
        var trackerPort = FreePort.Tcp();
        var image = MakeImage(Opentracker.UrlFor(trackerPort));
        var torrent = Torrent.Parse(image.Bytes);
        using var tracker = Opentracker.Start(dir.Path, new[] { torrent.InfoHash }, trackerPort);
        await tracker.WaitForAsync(torrent.InfoHash);
        image.WriteFiles(dir.Path);
        File.WriteAllBytes(dir.File("image.torrent"), image.Bytes);
        using var web = new TorrentWebServer(image.Bytes);

        var before = new byte[DiskSize];
        Array.Fill(before, (byte)0x5A);
        var backing = area.CreateFile("disk", DiskSize, fill: 0x5A);
        var loop = area.AttachLoop(backing);

        await using var seeder = await StartSeeder(seederKind, torrent, dir);
        var first = RunClient(web, loop);
        Assert.True(first.ExitCode == 11, first.StandardOutput + first.StandardError);
        Assert.True(File.ReadAllBytes(loop).AsSpan().SequenceEqual(image.Apply(before)), "the device does not hold the image at every extent, or bytes outside changed");
        var uploadedFirst = seeder.Uploaded();
        Assert.True(uploadedFirst >= image.Info.TotalLength, $"seeder sent {uploadedFirst} of {image.Info.TotalLength}");
        Assert.Contains(web.Reports, r => r.Contains("\"state\":\"done\"", StringComparison.Ordinal));
        // Small pieces: the memory for them is the minimum (PieceMemory).
        Assert.Contains($"memory for pieces: 48 MiB in flight, 24 MiB cached for seeding ({image.Info.PieceLength >> 10} KiB pieces)", first.StandardOutput, StringComparison.Ordinal);

        // Re-imaging a disk that already holds the image: the check finds every piece, nothing travels.
        var second = RunClient(web, loop);
        Assert.True(second.ExitCode == 11, second.StandardOutput + second.StandardError);
        Assert.InRange(seeder.Uploaded() - uploadedFirst, 0, image.Info.PieceLength);
    }

    [Fact]
    public async Task A_half_written_disk_is_finished_by_a_restarted_client()
    {
        using var area = new DiskTestArea();
        using var dir = new TempDirectory();
        var trackerPort = FreePort.Tcp();
        var image = MakeImage(Opentracker.UrlFor(trackerPort));
        var torrent = Torrent.Parse(image.Bytes);
        using var tracker = Opentracker.Start(dir.Path, new[] { torrent.InfoHash }, trackerPort);
        await tracker.WaitForAsync(torrent.InfoHash);
        image.WriteFiles(dir.Path);
        using var web = new TorrentWebServer(image.Bytes);
        // What an interrupted run leaves: the first extents written, the rest still old bytes.
        var before = new byte[DiskSize];
        var half = image.Apply(before);
        Array.Clear(half, 0x90_0003, (int)(DiskSize - 0x90_0003));
        var backing = System.IO.Path.Combine(area.Path, "disk");
        File.WriteAllBytes(backing, half);
        var loop = area.AttachLoop(backing);

        await using var seeder = await StartSeeder("ours", torrent, dir);
        var run = RunClient(web, loop);
        Assert.True(run.ExitCode == 11, run.StandardOutput + run.StandardError);
        Assert.True(File.ReadAllBytes(loop).AsSpan().SequenceEqual(image.Apply(before)));
        // Only the missing extents travelled (give or take the piece straddling the boundary).
        var missing = image.Extents.Where(e => e.Offset >= 0x90_0003).Sum(e => (long)e.Bytes.Length);
        Assert.InRange(seeder.Uploaded(), missing - image.Info.PieceLength, missing + image.Info.PieceLength);
    }

    [Fact]
    public async Task A_disk_too_small_is_refused_before_anything_is_written()
    {
        using var area = new DiskTestArea();
        using var dir = new TempDirectory();
        var image = MakeImage(Opentracker.UrlFor(1));
        using var web = new TorrentWebServer(image.Bytes);
        var backing = area.CreateFile("small", 16 * 1024 * 1024, fill: 0x33);
        var loop = area.AttachLoop(backing);

        var run = RunClient(web, loop);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("too small", run.StandardError, StringComparison.OrdinalIgnoreCase);
        Assert.All(File.ReadAllBytes(loop), b => Assert.Equal(0x33, b));
        Assert.Contains(web.Reports, r => r.Contains("\"state\":\"failed\"", StringComparison.Ordinal) && r.Contains("small", StringComparison.OrdinalIgnoreCase));
        await Task.CompletedTask;
    }

    internal static ToolResult RunClient(TorrentWebServer web, string disk, params string[] more) => Tool.Run(RepositoryPaths.ClientBinary,
        new[] { $"--server=127.0.0.1:{web.Port}", $"--torrent={web.TorrentUrl}", $"--disk={disk}", "--after=wait", "--seed=none", "--mac=52:54:00:12:34:56" }.Concat(more),
        TimeSpan.FromMinutes(3));

    private static async Task<ISeeder> StartSeeder(string kind, Torrent torrent, TempDirectory dir)
    {
        if (kind == "libtorrent")
        {
            var (process, _) = LibtorrentPeer.Start("seed", dir.File("image.torrent"), dir.Path, "--timeout", "600");
            process.WaitForOutput("received peers", TimeSpan.FromSeconds(30));
            return new LibtorrentSeeder(process);
        }
        return new EngineSeeder(await OwnSeeder.StartAsync(torrent, dir.Path));
    }

    private interface ISeeder : IAsyncDisposable
    {
        long Uploaded();
    }

    private sealed record EngineSeeder(OwnSeeder Seeder) : ISeeder
    {
        public long Uploaded() => Seeder.Uploaded;

        public ValueTask DisposeAsync() => Seeder.DisposeAsync();
    }

    private sealed record LibtorrentSeeder(BackgroundProcess Process) : ISeeder
    {
        /// <summary>
        /// The "uploaded" total of a progress line (printed twice a second) measured after this call:
        /// the second line printed from now on, since the first may have been measured just before.
        /// </summary>
        public long Uploaded()
        {
            var before = ProgressLines().Count;
            var deadline = DateTime.UtcNow.AddSeconds(10);
            List<string> lines;
            while ((lines = ProgressLines()).Count < before + 2)
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException("libtorrent printed no progress for 10 s:\n" + Process.Output);
                }
                Thread.Sleep(50);
            }
            var last = lines[^1];
            return long.Parse(last[(last.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        }

        private List<string> ProgressLines() => Process.Output.Split('\n').Where(l => l.StartsWith("progress ", StringComparison.Ordinal)).ToList();

        public ValueTask DisposeAsync()
        {
            Process.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
