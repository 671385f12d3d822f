using System.Net.Http.Json;
using EzioPxe.Engine.Metainfo;
using EzioPxe.Server.Status;
using EzioPxe.Server.Tests.Http;
using EzioPxe.TestSupport;
using Xunit.Abstractions;

namespace EzioPxe.Server.Tests.Seeding;

/// <summary>
/// The real server, and libtorrent leechers that know nothing but the torrent it serves: they
/// announce to our tracker, find our origin seeder and each other, and end with the image's extents.
/// </summary>
public sealed class OriginSeederTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Three_libtorrent_leechers_download_the_image_from_our_seeder_and_each_other()
    {
        using var temp = new TempDirectory("origin");
        var image = TestImage.Create(temp.File("lab.img"), seed: 9, dataBytes: 24L << 20);
        var config = RunningServer.Config(temp.File("data"), image, c => c["Images"]!["lab"]!["PieceSize"] = "256K");
        await using var server = await RunningServer.StartAsync(config, temp.Path);
        var torrentBytes = await server.Http.GetByteArrayAsync("torrents/lab.torrent");
        var torrent = Torrent.Parse(torrentBytes);
        var torrentPath = temp.File("lab.torrent");
        await File.WriteAllBytesAsync(torrentPath, torrentBytes);

        var leechers = Enumerable.Range(0, 3).Select(i => LibtorrentLeecher.Start(torrentPath, temp.File($"leecher{i}"), timeoutSeconds: 120)).ToList();
        try
        {
            var started = DateTime.UtcNow;
            foreach (var leecher in leechers)
            {
                leecher.WaitForOutput("done ", TimeSpan.FromSeconds(120));
            }
            var seconds = (DateTime.UtcNow - started).TotalSeconds;
            var status = (await server.Http.GetFromJsonAsync("status", StatusJsonContext.Default.ServerStatus))!;
            var lab = status.Images.Single();
            output.WriteLine($"image: {torrent.Info.TotalLength} bytes in {torrent.Info.Files.Count} extents, {torrent.Info.PieceCount} pieces");
            output.WriteLine($"3 leechers done in {seconds:0.0} s; origin uploaded {lab.Uploaded} bytes = {(double)lab.Uploaded / torrent.Info.TotalLength:0.00} x the image");
            output.WriteLine($"tracker: {lab.Seeders} seeders (origin included), {lab.Leechers} leechers, {lab.Completed} completed");

            // Every leecher holds every extent, byte for byte what the image has at that offset.
            for (var i = 0; i < leechers.Count; i++)
            {
                foreach (var file in torrent.Info.Files)
                {
                    var path = Path.Combine(temp.File($"leecher{i}"), "lab", file.Path);
                    Assert.Equal(TestImage.Read(image, Convert.ToInt64(file.Path, 16), (int)file.Length), await File.ReadAllBytesAsync(path));
                }
            }
            // The origin sent at least one whole copy (nobody else had it). How much more is a
            // measurement, not a promise: on loopback the origin is as fast as any peer, so the
            // leechers take most pieces from it (up to one copy each, plus end-game duplicates).
            Assert.InRange(lab.Uploaded, torrent.Info.TotalLength, 3 * torrent.Info.TotalLength * 12 / 10);
            Assert.Equal(3, lab.Completed);
            Assert.Equal(4, lab.Seeders);
        }
        catch (Exception)
        {
            leechers.ForEach(l => output.WriteLine(l.Output));
            output.WriteLine(server.Log.Text);
            throw;
        }
        finally
        {
            leechers.ForEach(l => l.Dispose());
        }
    }

    [Fact]
    public async Task A_libtorrent_leecher_finds_our_seeder_through_the_udp_tracker()
    {
        using var temp = new TempDirectory("origin-udp");
        var image = TestImage.Create(temp.File("lab.img"), seed: 10, dataBytes: 4L << 20);
        var udpPort = FreePort.Udp();
        var config = RunningServer.Config(temp.File("data"), image, c => c["Tracker"] = new System.Text.Json.Nodes.JsonObject { ["UdpPort"] = udpPort });
        await using var server = await RunningServer.StartAsync(config, temp.Path);
        var served = Torrent.Parse(await server.Http.GetByteArrayAsync("torrents/lab.torrent"));
        var torrent = EzioPxe.Server.Seeding.TorrentAnnounce.With(served, $"udp://127.0.0.1:{udpPort}/announce");
        await File.WriteAllBytesAsync(temp.File("lab.torrent"), torrent.Bytes.ToArray());
        using var leecher = LibtorrentLeecher.Start(temp.File("lab.torrent"), temp.File("leecher"), timeoutSeconds: 60);
        try
        {
            leecher.WaitForOutput("done ", TimeSpan.FromSeconds(60));
        }
        catch (Exception)
        {
            output.WriteLine(leecher.Output);
            output.WriteLine(server.Log.Text);
            throw;
        }
        foreach (var file in torrent.Info.Files)
        {
            Assert.Equal(TestImage.Read(image, Convert.ToInt64(file.Path, 16), (int)file.Length), await File.ReadAllBytesAsync(Path.Combine(temp.File("leecher"), "lab", file.Path)));
        }
    }
}
