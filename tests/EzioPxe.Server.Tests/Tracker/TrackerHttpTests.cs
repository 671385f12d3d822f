using EzioPxe.Engine.Bencode;
using EzioPxe.Server.Tests.Http;
using static EzioPxe.Server.Tests.Tracker.TrackerClient;

namespace EzioPxe.Server.Tests.Tracker;

/// <summary>The tracker over real HTTP, checked the way opentracker's behaviour is: raw announces and scrapes, bencoded answers.</summary>
[Collection(ServerCollection.Name)]
public sealed class TrackerHttpTests(ServerFixture fixture)
{
    private HttpClient Http => fixture.Server.Http;

    private byte[] InfoHash => fixture.Torrent.InfoHash.Span.ToArray();

    [Fact]
    public async Task Announce_returns_compact_peers_without_the_requester_and_with_the_origin_seeder()
    {
        var a = await GetAsync(Http, "/announce?" + Query(InfoHash, PeerId(101), 41001, left: 1000, "started"));
        Assert.Null(Failure(a));
        Assert.Equal(20, a.GetInteger("interval")!.Value);
        Assert.Equal(5, a.GetInteger("min interval")!.Value);
        await GetAsync(Http, "/announce?" + Query(InfoHash, PeerId(102), 41002, left: 1000, "started"));
        var c = await GetAsync(Http, "/announce?" + Query(InfoHash, PeerId(103), 41003, left: 1000, "started"));

        var peers = Peers(c);
        Assert.Contains(("127.0.0.1", 41001), peers);
        Assert.Contains(("127.0.0.1", 41002), peers);
        Assert.DoesNotContain(("127.0.0.1", 41003), peers);
        Assert.Contains(("127.0.0.1", fixture.Server.PeerPort), peers); // The origin seeder, at the address the announce reached.
        Assert.Equal(peers.Count, peers.Distinct().Count());
        Assert.True(c.GetInteger("incomplete")!.Value >= 3);
        Assert.True(c.GetInteger("complete")!.Value >= 1); // The origin.
    }

    [Fact]
    public async Task Numwant_limits_the_list_and_zero_asks_for_none()
    {
        for (var i = 0; i < 5; i++)
        {
            await GetAsync(Http, "/announce?" + Query(InfoHash, PeerId(200 + i), 42000 + i, left: 10));
        }
        var one = await GetAsync(Http, "/announce?" + Query(InfoHash, PeerId(210), 42010, left: 10, extra: "&numwant=1"));
        Assert.Single(Peers(one));
        var none = await GetAsync(Http, "/announce?" + Query(InfoHash, PeerId(211), 42011, left: 10, extra: "&numwant=0"));
        Assert.Empty(Peers(none));
        var three = await GetAsync(Http, "/announce?" + Query(InfoHash, PeerId(212), 42012, left: 10, extra: "&numwant=3"));
        Assert.Equal(3, Peers(three).Count);
    }

    [Fact]
    public async Task Stopped_removes_the_peer_and_completed_counts_in_scrape()
    {
        var before = await ScrapeAsync();
        await GetAsync(Http, "/announce?" + Query(InfoHash, PeerId(301), 43001, left: 500, "started"));
        var watcher = Query(InfoHash, PeerId(302), 43002, left: 500, extra: "&numwant=200");
        Assert.Contains(("127.0.0.1", 43001), Peers(await GetAsync(Http, "/announce?" + watcher)));

        await GetAsync(Http, "/announce?" + Query(InfoHash, PeerId(301), 43001, left: 0, "completed"));
        var afterCompleted = await ScrapeAsync();
        Assert.Equal(before.Downloaded + 1, afterCompleted.Downloaded);
        Assert.Equal(before.Complete + 1, afterCompleted.Complete);

        var stopped = await GetAsync(Http, "/announce?" + Query(InfoHash, PeerId(301), 43001, left: 0, "stopped"));
        Assert.Null(Failure(stopped));
        Assert.DoesNotContain(("127.0.0.1", 43001), Peers(await GetAsync(Http, "/announce?" + watcher)));
        Assert.Equal(before.Complete, (await ScrapeAsync()).Complete);
    }

    [Fact]
    public async Task Compact_zero_gets_the_bep3_list_of_dictionaries_with_peer_ids()
    {
        await GetAsync(Http, "/announce?" + Query(InfoHash, PeerId(401), 44001, left: 7));
        var response = await GetAsync(Http, "/announce?" + Query(InfoHash, PeerId(402), 44002, left: 7).Replace("compact=1", "compact=0", StringComparison.Ordinal) + "&numwant=200");
        var list = Assert.IsType<BList>(response["peers"]);
        var entry = list.Items.Cast<BDictionary>().Single(d => d.GetInteger("port")!.Value == 44001);
        Assert.Equal("127.0.0.1", entry.GetString("ip")!.Text);
        Assert.Equal(PeerId(401), entry.GetString("peer id")!.Bytes.ToArray());
    }

    [Fact]
    public async Task Unknown_info_hash_is_refused_with_a_failure_reason()
    {
        var unknown = Enumerable.Range(1, 20).Select(i => (byte)i).ToArray();
        var response = await GetAsync(Http, "/announce?" + Query(unknown, PeerId(501), 45001, left: 1));
        Assert.Contains("unknown torrent 0102030405", Failure(response), StringComparison.Ordinal);
        Assert.Null(response["peers"]);
    }

    [Theory]
    [InlineData("info_hash=%01%02&peer_id=-TT0001-000000000001&port=1&left=0", "info_hash is 2 bytes, not 20")]
    [InlineData("peer_id=-TT0001-000000000001&port=1&left=0", "missing info_hash")]
    [InlineData("INFO&peer_id=-TT0001-000000000001&left=0", "missing port")]
    [InlineData("INFO&peer_id=-TT0001-000000000001&port=6881&left=abc", "left 'abc' is not a non-negative whole number")]
    [InlineData("INFO&peer_id=-TT0001-000000000001&port=6881&left=-5", "left '-5' is not a non-negative whole number")]
    [InlineData("INFO&peer_id=-TT0001-000000000001&port=0&left=0", "port 0 is not 1-65535")]
    [InlineData("INFO&peer_id=-TT0001-000000000001&port=70000&left=0", "port 70000 is not 1-65535")]
    [InlineData("INFO&peer_id=short&port=6881&left=0", "peer_id is 5 bytes, not 20")]
    [InlineData("INFO&peer_id=-TT0001-000000000001&port=6881&left=0&event=exploded", "event 'exploded' is not started")]
    [InlineData("", "missing info_hash")]
    public async Task Malformed_announces_get_a_failure_reason_naming_the_parameter_and_the_tracker_keeps_serving(string query, string expected)
    {
        query = query.Replace("INFO", "info_hash=" + Escape(InfoHash), StringComparison.Ordinal);
        var response = await GetAsync(Http, "/announce?" + query);
        Assert.Contains(expected, Failure(response), StringComparison.Ordinal);
        var good = await GetAsync(Http, "/announce?" + Query(InfoHash, PeerId(601), 46001, left: 1));
        Assert.Null(Failure(good));
    }

    [Fact]
    public async Task Scrape_reports_known_torrents_only_and_all_without_info_hash()
    {
        var unknown = new byte[20];
        var response = await GetAsync(Http, $"/scrape?info_hash={Escape(InfoHash)}&info_hash={Escape(unknown)}");
        var files = response.GetDictionary("files")!;
        Assert.Equal(1, files.Count);
        Assert.Equal(InfoHash, files.Entries.Single().Key);
        var all = await GetAsync(Http, "/scrape");
        Assert.Equal(1, all.GetDictionary("files")!.Count);
        var bad = await GetAsync(Http, "/scrape?info_hash=%01");
        Assert.Contains("info_hash is 1 bytes", Failure(bad), StringComparison.Ordinal);
    }

    private async Task<(long Complete, long Incomplete, long Downloaded)> ScrapeAsync()
    {
        var response = await GetAsync(Http, $"/scrape?info_hash={Escape(InfoHash)}");
        var entry = (BDictionary)response.GetDictionary("files")!.Entries.Single().Value;
        return (entry.GetInteger("complete")!.Value, entry.GetInteger("incomplete")!.Value, entry.GetInteger("downloaded")!.Value);
    }
}
