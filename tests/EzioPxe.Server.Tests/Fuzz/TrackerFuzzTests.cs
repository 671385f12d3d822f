using System.Buffers.Binary;
using System.Net;
using EzioPxe.Engine.Bencode;
using EzioPxe.Server.Tests.Http;
using EzioPxe.Server.Tracker;
using EzioPxe.TestSupport.Fuzzing;
using Microsoft.Extensions.Logging.Abstractions;
using static EzioPxe.Server.Tests.Tracker.TrackerClient;

namespace EzioPxe.Server.Tests.Fuzz;

/// <summary>
/// Mutated announces into a tracker over the running server's image, HTTP (query strings) and UDP (BEP 15
/// datagrams): every one gets an answer (a bencoded reply or failure, a UDP reply or error, or
/// silence for what is not ours), nothing throws, and enough mutants get past the parser to reach the swarm.
/// </summary>
[Collection(ServerCollection.Name)]
[Trait("Category", "Fuzz")]
public sealed class TrackerFuzzTests(ServerFixture fixture)
{
    private static readonly IPAddress Remote = IPAddress.Parse("10.200.0.7");
    private static readonly IPAddress Local = IPAddress.Parse("10.200.0.1");

    /// <summary>A tracker of its own over the fixture's image: the mutants' peers must not show up in other tests' peer lists.</summary>
    private TrackerService OwnTracker()
    {
        var tracker = new TrackerService(fixture.Server.Settings.Tracker, NullLogger<TrackerService>.Instance);
        tracker.Register(fixture.Torrent).SetOrigin(PeerId(0), fixture.Server.PeerPort);
        return tracker;
    }

    [Fact]
    public void Mutated_http_announces_get_a_bencoded_answer_and_many_reach_the_swarm()
    {
        var tracker = OwnTracker();
        var infoHash = fixture.Torrent.InfoHash.Span.ToArray();
        var seeds = new[]
        {
            Query(infoHash, PeerId(1), 6881, 1000, "started") + "&numwant=5",
            Query(infoHash, PeerId(2), 6882, 0, "completed") + "&compact=0&no_peer_id=1",
            Query(infoHash, PeerId(3), 6883, 10) + "&ip=10.0.0.9&key=abc&trackerid=x",
        };
        var seed = FuzzBudget.Seed(1401);
        var mutator = new Mutator(seed);
        var (announced, refused) = (0, 0);
        var iterations = FuzzBudget.Iterations(5_000);
        for (var i = 0; i < iterations; i++)
        {
            var query = mutator.MutateText(seeds[i % seeds.Length]);
            byte[] answer;
            try
            {
                answer = tracker.HandleAnnounce(query, Remote, Local);
            }
            catch (Exception e)
            {
                Assert.Fail($"seed {seed}, input {i}: '{query}' threw {e}");
                throw;
            }
            var reply = Assert.IsType<BDictionary>(BencodeParser.Parse(answer));
            if (reply.ContainsKey("interval"))
            {
                announced++;
            }
            else
            {
                Assert.NotNull(reply.GetString("failure reason"));
                refused++;
            }
        }
        // How far the inputs got: past the parser into the swarm, and refused with a reason.
        Assert.True(announced > iterations / 20, $"only {announced} of {iterations} mutants announced (seed {seed})");
        Assert.True(refused > iterations / 20, $"only {refused} of {iterations} mutants refused (seed {seed})");
    }

    [Fact]
    public void Mutated_udp_announces_get_a_reply_an_error_or_silence_and_many_reach_the_swarm()
    {
        var udp = new UdpTrackerService(fixture.Server.Settings, OwnTracker(), NullLogger<UdpTrackerService>.Instance);
        var reply = new byte[8 + 12 + 6 * 1000];
        var connect = new byte[16];
        BinaryPrimitives.WriteInt64BigEndian(connect, UdpTrackerPacket.ProtocolId);
        Assert.Equal(16, udp.Handle(connect, new IPEndPoint(Remote, 7000), Local, reply));
        var connection = reply[8..16];

        var announce = new byte[98];
        connection.CopyTo(announce, 0);
        BinaryPrimitives.WriteInt32BigEndian(announce.AsSpan(8), 1);
        fixture.Torrent.InfoHash.Span.CopyTo(announce.AsSpan(16));
        PeerId(9).CopyTo(announce, 36);
        BinaryPrimitives.WriteInt64BigEndian(announce.AsSpan(64), 1000);
        BinaryPrimitives.WriteInt32BigEndian(announce.AsSpan(92), 10);
        BinaryPrimitives.WriteUInt16BigEndian(announce.AsSpan(96), 6889);
        var scrape = new byte[36];
        connection.CopyTo(scrape, 0);
        BinaryPrimitives.WriteInt32BigEndian(scrape.AsSpan(8), 2);
        fixture.Torrent.InfoHash.Span.CopyTo(scrape.AsSpan(16));

        var seed = FuzzBudget.Seed(1402);
        var mutator = new Mutator(seed);
        var outcomes = new Dictionary<string, int>();
        var iterations = FuzzBudget.Iterations(5_000);
        for (var i = 0; i < iterations; i++)
        {
            var original = i % 3 == 2 ? scrape : announce;
            // Mostly behind the connection id, so the mutants get past it.
            var packet = i % 4 == 0 ? mutator.Mutate(original) : [.. original.AsSpan(0, 8), .. mutator.Mutate(original.AsSpan(8))];
            int length;
            try
            {
                length = udp.Handle(packet, new IPEndPoint(Remote, 7000), Local, reply);
            }
            catch (Exception e)
            {
                Assert.Fail($"seed {seed}, input {i}: {Mutator.Show(packet)} threw {e}");
                throw;
            }
            var outcome = length == 0 ? "silence" : BinaryPrimitives.ReadInt32BigEndian(reply) switch
            {
                1 => "announce",
                2 => "scrape",
                3 => "error",
                var other => $"action {other}",
            };
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }
        var summary = string.Join(", ", outcomes.Select(o => $"{o.Key} {o.Value}"));
        Assert.True(outcomes.GetValueOrDefault("announce") > iterations / 20, $"too few announces reached the swarm (seed {seed}): {summary}");
        Assert.True(outcomes.GetValueOrDefault("error") > iterations / 20, $"too few refused (seed {seed}): {summary}");
        Assert.All(outcomes.Keys, k => Assert.Contains(k, new[] { "silence", "announce", "scrape", "error", "action 0" }));
    }
}
