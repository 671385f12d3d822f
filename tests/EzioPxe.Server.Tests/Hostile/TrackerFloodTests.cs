using System.Net;
using EzioPxe.Server.Seeding;
using EzioPxe.Server.Tests.Http;
using EzioPxe.Server.Tests.Seeding;
using EzioPxe.TestSupport;
using static EzioPxe.Server.Tests.Tracker.TrackerClient;

namespace EzioPxe.Server.Tests.Hostile;

/// <summary>
/// A LAN host (127.0.0.2) abusing the real server's HTTP tracker while a machine (127.0.0.1)
/// announces: false seeders must not hide the origin, a flood of peer ids must not lock anyone out.
/// </summary>
public sealed class TrackerFloodTests : IAsyncLifetime
{
    private static readonly IPAddress Attacker = IPAddress.Parse("127.0.0.2");
    private readonly TempDirectory _temp = new("tracker-flood");
    private RunningServer _server = null!;
    private HttpClient _attacker = null!;
    private byte[] _infoHash = [];

    public async Task InitializeAsync()
    {
        _server = await RunningServer.StartAsync(RunningServer.Config(_temp.File("data"), TestImage.Create(_temp.File("lab.img"), seed: 4)), _temp.Path);
        _attacker = SourceBoundHttp.Create(_server.BaseUrl, Attacker);
        _infoHash = ((ImageCatalog)_server.App.Services.GetService(typeof(ImageCatalog))!).Images[0].Torrent.InfoHash.Span.ToArray();
    }

    public async Task DisposeAsync()
    {
        _attacker.Dispose();
        await _server.DisposeAsync();
        _temp.Dispose();
    }

    private (string, int) Origin => ("127.0.0.1", _server.PeerPort);

    [Fact]
    public async Task Three_hosts_claiming_to_be_complete_every_round_do_not_hide_the_origin_from_a_new_machine()
    {
        for (var round = 0; round < 2; round++)
        {
            for (var n = 1; n <= 3; n++)
            {
                var claim = await GetAsync(_attacker, "/announce?" + Query(_infoHash, PeerId(n), 50_000 + n, left: 0, round == 0 ? "completed" : null));
                Assert.Null(Failure(claim));
            }
        }
        var machine = await GetAsync(_server.Http, "/announce?" + Query(_infoHash, PeerId(100), 51_000, left: 1000, "started") + "&numwant=2");
        Assert.Null(Failure(machine));
        Assert.Equal(Origin, Peers(machine)[0]);
    }

    [Fact]
    public async Task Ten_thousand_peer_ids_from_one_host_do_not_lock_out_a_real_machine()
    {
        for (var n = 0; n < 10_000; n++)
        {
            var reply = await GetAsync(_attacker, "/announce?" + Query(_infoHash, PeerId(200_000 + n), 40_000 + n % 20_000, left: 1000) + "&numwant=0");
            Assert.Null(Failure(reply));
        }
        var machine = await GetAsync(_server.Http, "/announce?" + Query(_infoHash, PeerId(1), 51_001, left: 1000, "started") + "&numwant=200");
        Assert.Null(Failure(machine));
        var peers = Peers(machine);
        Assert.Equal(Origin, peers[0]);
        // The flooder stands for at most Tracker:PeersPerAddress peers; the scrape agrees.
        Assert.Equal(4, peers.Count(p => p.Address == "127.0.0.2"));
        var scrape = await GetAsync(_server.Http, "/scrape");
        var files = scrape.GetDictionary("files")!.Entries.Single().Value as EzioPxe.Engine.Bencode.BDictionary;
        Assert.Equal(5, files!.GetInteger("incomplete")!.Value);
    }
}
