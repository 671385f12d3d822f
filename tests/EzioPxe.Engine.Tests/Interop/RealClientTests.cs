using System.Globalization;
using System.Net;
using EzioPxe.Engine.Metainfo;
using EzioPxe.Engine.Peers;
using EzioPxe.Engine.Storage;
using EzioPxe.Engine.Swarm;
using EzioPxe.Engine.Tests.Swarm;
using EzioPxe.TestSupport;

namespace EzioPxe.Engine.Tests.Interop;

/// <summary>Our engine against real BitTorrent clients from Debian, over loopback.</summary>
public class RealClientTests
{
    private static readonly long[] Sizes = { 7_000_003, 0, 123_457, 9 * 1024 * 1024, 1 };

    [Fact]
    public async Task We_download_a_multi_file_torrent_from_a_libtorrent_seeder()
    {
        using var dir = new TempDirectory();
        var bytes = SampleContent.Create(dir.Path, "content", Sizes, 256 * 1024);
        var torrentPath = dir.File("content.torrent");
        File.WriteAllBytes(torrentPath, bytes);
        var torrent = Torrent.Parse(bytes);
        var (seeder, port) = LibtorrentPeer.Start("seed", torrentPath, dir.Path);
        using (seeder)
        {
            await Download(torrent, dir.File("ours"), new IPEndPoint(IPAddress.Loopback, port), seeder);
        }
        SampleContent.AssertSameTree(Path.Combine(dir.Path, "content"), Path.Combine(dir.File("ours"), "content"));
    }

    [Fact]
    public async Task We_download_from_an_aria2_seeder()
    {
        using var dir = new TempDirectory();
        var bytes = SampleContent.Create(dir.Path, "content", Sizes, 512 * 1024);
        var torrentPath = dir.File("content.torrent");
        File.WriteAllBytes(torrentPath, bytes);
        var port = FreePort.Tcp();
        using var aria2 = BackgroundProcess.Start("aria2c", new[]
        {
            "--check-integrity=true", "--seed-ratio=0.0", "--seed-time=10", "--enable-dht=false", "--enable-dht6=false",
            "--bt-enable-lpd=false", "--enable-peer-exchange=false", "--bt-require-crypto=false", "--listen-port=" + port.ToString(CultureInfo.InvariantCulture),
            "--dir=" + dir.Path, "--console-log-level=warn", "--summary-interval=0", torrentPath,
        });
        // aria2 listens once it has verified the files it is to seed.
        await WaitForListener(port, aria2);
        var torrent = Torrent.Parse(bytes);
        await Download(torrent, dir.File("ours"), new IPEndPoint(IPAddress.Loopback, port), aria2);
        SampleContent.AssertSameTree(Path.Combine(dir.Path, "content"), Path.Combine(dir.File("ours"), "content"));
    }

    [Fact]
    public async Task A_libtorrent_leecher_downloads_from_our_seeder()
    {
        using var dir = new TempDirectory();
        var bytes = SampleContent.Create(dir.Path, "content", Sizes, 256 * 1024);
        var torrentPath = dir.File("content.torrent");
        File.WriteAllBytes(torrentPath, bytes);
        await using var seeder = await OwnSeeder.StartAsync(Torrent.Parse(bytes), dir.Path);
        var (leecher, _) = LibtorrentPeer.Start("leech", torrentPath, dir.File("lt"), "--peer", $"127.0.0.1:{seeder.EndPoint.Port}", "--timeout", "120");
        using (leecher)
        {
            Assert.True(leecher.WaitForExit(TimeSpan.FromSeconds(130)), leecher.Output);
            Assert.True(leecher.ExitCode == 0, leecher.Output);
        }
        Assert.Equal(Torrent.Parse(bytes).Info.TotalLength, seeder.Session.GetStatus().Uploaded);
        SampleContent.AssertSameTree(Path.Combine(dir.Path, "content"), Path.Combine(dir.File("lt"), "content"));
    }

    /// <summary>
    /// A lone libtorrent leecher and our super-seeding origin, shown one piece at a time: the
    /// "have" that shows its last missing piece also makes us look like a seed to it, and
    /// libtorrent 2.0 then drops a seed it is not interested in before it looks at the piece just
    /// shown ("uninteresting upload-only peer"), and does not dial again for a minute. A CI run
    /// hung so at 98.5 %. With one piece shown per peer the leecher is uninterested every time
    /// that last "have" arrives, so this fails every time unless the last piece is shown together
    /// with the one before it.
    /// </summary>
    [Fact]
    public async Task A_lone_libtorrent_leecher_gets_the_last_piece_from_a_super_seeding_origin()
    {
        using var dir = new TempDirectory();
        var bytes = SampleContent.Create(dir.Path, "content", new long[] { 5 * 64 * 1024 }, 64 * 1024);
        var torrentPath = dir.File("content.torrent");
        File.WriteAllBytes(torrentPath, bytes);
        await using var seeder = await OwnSeeder.StartAsync(Torrent.Parse(bytes), dir.Path, superSeeding: true,
            tune: o => o with { SuperSeedingPiecesPerPeer = 1 });
        var (leecher, _) = LibtorrentPeer.Start("leech", torrentPath, dir.File("lt"), "--peer", $"127.0.0.1:{seeder.EndPoint.Port}", "--timeout", "30");
        using (leecher)
        {
            Assert.True(leecher.WaitForExit(TimeSpan.FromSeconds(40)), leecher.Output);
            Assert.True(leecher.ExitCode == 0, leecher.Output);
            Assert.DoesNotContain("uninteresting upload-only", leecher.Output);
        }
        SampleContent.AssertSameTree(Path.Combine(dir.Path, "content"), Path.Combine(dir.File("lt"), "content"));
    }

    /// <summary>
    /// aria2 finds our seeder through opentracker (it cannot be handed a peer) and downloads a
    /// torrent of fewer than 32 pieces: there a bitfield is shorter than two "have" messages, so
    /// aria2 sends new bitfields in the middle of the connection, which we once answered by
    /// dropping it until its next announce.
    /// </summary>
    [Fact]
    public async Task An_aria2_leecher_downloads_from_our_seeder()
    {
        using var dir = new TempDirectory();
        var trackerPort = FreePort.Tcp();
        var bytes = SampleContent.Create(dir.Path, "content", new long[] { 900_001, 0, 123_457, 1 }, 64 * 1024, Opentracker.UrlFor(trackerPort));
        var torrent = Torrent.Parse(bytes);
        Assert.InRange(torrent.Info.PieceCount, 2, 31);
        var torrentPath = dir.File("content.torrent");
        File.WriteAllBytes(torrentPath, bytes);
        using var tracker = Opentracker.Start(dir.Path, new[] { torrent.InfoHash }, trackerPort);
        await tracker.WaitForAsync(torrent.InfoHash);
        var log = new CollectingLogger();
        await using var seeder = await OwnSeeder.StartAsync(torrent, dir.Path, logger: log);
        await Poll.UntilAsync(() => log.Text.Contains("announced", StringComparison.Ordinal), TimeSpan.FromSeconds(20), () => log.Text);
        using var aria2 = BackgroundProcess.Start("aria2c", new[]
        {
            "--seed-time=0", "--enable-dht=false", "--enable-dht6=false", "--bt-enable-lpd=false", "--enable-peer-exchange=false",
            "--bt-require-crypto=false", "--listen-port=" + FreePort.Tcp().ToString(CultureInfo.InvariantCulture),
            "--dir=" + dir.File("aria2"), "--console-log-level=warn", "--summary-interval=0", torrentPath,
        });
        Assert.True(aria2.WaitForExit(TimeSpan.FromSeconds(60)), $"aria2 did not finish:\n{aria2.Output}\nour seeder said:\n{log}");
        Assert.True(aria2.ExitCode == 0, aria2.Output);
        // aria2 said anew what it has in the middle of the connection, and was not dropped for it
        // (we close it ourselves once both ends are seeds: "closed").
        Assert.Contains("says anew what it has", log.Text, StringComparison.Ordinal);
        var reasons = log.Text.Split('\n').Where(l => l.Contains(" gone: ", StringComparison.Ordinal)).Select(l => l[(l.IndexOf(" gone: ", StringComparison.Ordinal) + 7)..]);
        Assert.All(reasons, reason => Assert.Contains(reason, new[] { "closed", "closed by peer" }));
        SampleContent.AssertSameTree(Path.Combine(dir.Path, "content"), Path.Combine(dir.File("aria2"), "content"));
    }

    [Fact]
    public async Task Through_opentracker_a_libtorrent_leecher_finds_our_seeder_and_we_find_a_libtorrent_seeder()
    {
        using var dir = new TempDirectory();
        var trackerPort = FreePort.Tcp();
        var bytes = SampleContent.Create(dir.Path, "content", Sizes, 256 * 1024, Opentracker.UrlFor(trackerPort));
        var torrent = Torrent.Parse(bytes);
        var torrentPath = dir.File("content.torrent");
        File.WriteAllBytes(torrentPath, bytes);
        using var tracker = Opentracker.Start(dir.Path, new[] { torrent.InfoHash }, trackerPort);
        await tracker.WaitForAsync(torrent.InfoHash);

        // Our seeder announces; the libtorrent leecher knows only the tracker.
        await using (var seeder = await OwnSeeder.StartAsync(torrent, dir.Path))
        {
            var (leecher, _) = LibtorrentPeer.Start("leech", torrentPath, dir.File("lt"), "--timeout", "120");
            using (leecher)
            {
                Assert.True(leecher.WaitForExit(TimeSpan.FromSeconds(130)), leecher.Output);
                Assert.True(leecher.ExitCode == 0, leecher.Output);
            }
        }
        SampleContent.AssertSameTree(Path.Combine(dir.Path, "content"), Path.Combine(dir.File("lt"), "content"));

        // Now libtorrent seeds (from its finished copy) and our leecher knows only the tracker.
        var (ltSeeder, _) = LibtorrentPeer.Start("seed", torrentPath, dir.File("lt"));
        using (ltSeeder)
        {
            ltSeeder.WaitForOutput("received peers", TimeSpan.FromSeconds(30));
            await Download(torrent, dir.File("ours"), endPoint: null, ltSeeder);
        }
        SampleContent.AssertSameTree(Path.Combine(dir.Path, "content"), Path.Combine(dir.File("ours"), "content"));
    }

    private static async Task Download(Torrent torrent, string target, IPEndPoint? endPoint, BackgroundProcess other)
    {
        await using var storage = new FileSystemStorage(torrent.Info, target);
        // With a listener, a peer that hears of us from the tracker after we announced can still reach us.
        await using var listener = new PeerListener(new IPEndPoint(IPAddress.Loopback, 0));
        var log = new CollectingLogger();
        await using var session = new TorrentSession(torrent, storage, new SessionOptions { ExistingData = ExistingData.None, ListenPort = listener.Port }, log);
        listener.Register(session);
        listener.Start();
        await session.StartAsync();
        if (endPoint != null)
        {
            session.AddPeer(endPoint);
        }
        try
        {
            await session.Completion.WaitAsync(TimeSpan.FromSeconds(90));
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"download incomplete: {session.GetStatus()}\nwe said:\n{log}\nother peer said:\n{other.Output}");
        }
        Assert.Equal(0, session.GetStatus().HashFailures);
    }

    private static async Task WaitForListener(int port, BackgroundProcess process)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            Assert.False(process.HasExited, process.Output);
            try
            {
                using var client = new System.Net.Sockets.TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (System.Net.Sockets.SocketException)
            {
                await Task.Delay(100);
            }
        }
        throw new TimeoutException($"nothing listens on {port}:\n{process.Output}");
    }
}
