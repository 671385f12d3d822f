using System.Net;
using EzioPxe.Engine.Metainfo;
using EzioPxe.Engine.Storage;
using EzioPxe.Engine.Swarm;
using EzioPxe.Engine.Tests.Swarm;
using EzioPxe.TestSupport;
using EzioPxe.TestSupport.Fuzzing;
using Xunit.Abstractions;

namespace EzioPxe.Engine.Tests.Fuzzing;

/// <summary>
/// Mutated message streams sent over real sockets to a seeding session: whatever a peer sends, the
/// session drops that peer for a protocol error or serves it, never fails with an error of its own,
/// and keeps serving honest peers.
/// </summary>
[Trait("Category", "Fuzz")]
public class PeerSessionFuzzTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_seeder_handles_mutated_message_streams_with_nothing_but_protocol_errors()
    {
        using var dir = new TempDirectory();
        var torrent = Torrent.Parse(SampleContent.Create(dir.Path, "content", new long[] { 2 * 1024 * 1024 + 5 }, 64 * 1024));
        var log = new CollectingLogger();
        await using var seeder = await OwnSeeder.StartAsync(torrent, dir.Path, logger: log);
        var seed = ParserFuzzTests.WireSeed();
        var fuzzSeed = FuzzBudget.Seed(2024);
        var mutator = new BencodeMutator(fuzzSeed);
        var rounds = FuzzBudget.Iterations(300);
        for (var round = 0; round < rounds; round++)
        {
            // Each connection from its own address: the per-address cap is not what is tested here.
            var from = new IPAddress(new byte[] { 127, 1, (byte)(round >> 8), (byte)(round & 0xFF) });
            using var peer = await RawPeer.ConnectAsync(seeder.EndPoint, torrent.InfoHash, fast: true, from: from);
            await peer.ReceiveHandshakeAsync();
            await peer.SendRawAsync(mutator.Mutate(seed));
            peer.ShutdownSend();
            // The seeder closes on a protocol error at once, or on our FIN once it has read everything.
            Assert.True(await peer.IsClosedByRemoteAsync(TimeSpan.FromSeconds(10)), $"seed {fuzzSeed}, round {round}: the seeder kept the connection");
        }
        await Poll.UntilAsync(() => seeder.Session.GetStatus().Peers == 0, TimeSpan.FromSeconds(10), () => seeder.Session.GetStatus().ToString());
        // A peer leaves the session's table before its "gone" line is written: wait for the lines
        // too, or the last connection may be counted as never ended (it was, once in 4 loaded runs).
        List<string> Reasons() => log.Text.Split('\n').Where(l => l.Contains(" gone: ", StringComparison.Ordinal))
            .Select(l => l[(l.IndexOf(" gone: ", StringComparison.Ordinal) + 7)..]).ToList();
        await Poll.UntilAsync(() => Reasons().Count >= rounds, TimeSpan.FromSeconds(10), () => $"{Reasons().Count} of {rounds} connections ended; the seeder said:\n{log}");
        var reasons = Reasons();
        var tally = new FuzzTally();
        foreach (var reason in reasons)
        {
            tally.Count(reason.StartsWith("closed", StringComparison.Ordinal) ? "read to the end" : "protocol error");
        }
        output.WriteLine(tally.ToString());
        Assert.DoesNotContain("unexpected error", log.Text, StringComparison.Ordinal);
        Assert.True(rounds == tally.Total, $"{tally.Total} of {rounds} connections ended; the seeder said:\n{log}");
        tally.AssertAtLeast("read to the end", 0.2);
        tally.AssertAtLeast("protocol error", 0.2);

        // And an honest leecher is served as before.
        var target = dir.File("honest");
        await using (var storage = new FileSystemStorage(torrent.Info, target))
        await using (var leecher = new TorrentSession(torrent, storage, new SessionOptions { ExistingData = ExistingData.None, LocalAddress = IPAddress.Parse("127.0.0.2") }))
        {
            await leecher.StartAsync();
            leecher.AddPeer(seeder.EndPoint);
            await leecher.Completion.WaitAsync(TimeSpan.FromSeconds(60));
        }
        SampleContent.AssertSameTree(Path.Combine(dir.Path, "content"), Path.Combine(target, "content"));
    }
}
