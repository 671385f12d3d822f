using System.Net;
using EzioPxe.Engine.Metainfo;
using EzioPxe.Engine.Wire;
using EzioPxe.TestSupport;

namespace EzioPxe.Engine.Tests.Swarm;

/// <summary>
/// The origin's super-seeding against peers that are shown pieces and never fetch them: a
/// hostile host's idle connections, or a machine powered off halfway whose old connection is
/// gone. Twice in CI a room hung at 88 % and 98 % because the pieces shown only to such peers
/// were never shown to anyone else.
/// </summary>
public class SuperSeedingTests
{
    [Fact]
    public async Task Pieces_shown_only_to_peers_that_never_fetch_them_are_shown_again_to_machines_that_will()
    {
        using var dir = new TempDirectory();
        var torrent = Torrent.Parse(SampleContent.Create(dir.Path, "content", new long[] { 2 * 1024 * 1024 }, 64 * 1024));
        await using var seeder = await OwnSeeder.StartAsync(torrent, dir.Path, superSeeding: true);
        var idle = new List<RawPeer>();
        try
        {
            // Three empty, interested peers from their own addresses, each shown its first pieces
            // before the real machines arrive; they never ask for a block.
            for (var i = 0; i < 3; i++)
            {
                var peer = await RawPeer.ConnectAsync(seeder.EndPoint, torrent.InfoHash, fast: true, from: new IPAddress(new byte[] { 127, 0, 0, (byte)(100 + i) }));
                idle.Add(peer);
                await peer.ReceiveHandshakeAsync();
                await peer.SendAsync(MessageId.HaveNone);
                await peer.SendAsync(MessageId.Interested);
                await ReceiveUntilHaveAsync(peer, TimeSpan.FromSeconds(10));
            }

            // The idle peers keep the origin in super-seeding (more than one peer downloads), so
            // only its stall fallback can hand their pieces to the two machines.
            await using var swarm = await LoopbackSwarm.StartAsync(torrent, dir, seeder.EndPoint, 2);
            await swarm.WaitForAllAsync(TimeSpan.FromSeconds(60));
            foreach (var target in swarm.Targets)
            {
                SampleContent.AssertSameTree(Path.Combine(dir.Path, "content"), Path.Combine(target, "content"));
            }
        }
        finally
        {
            idle.ForEach(p => p.Dispose());
        }
    }

    private static async Task ReceiveUntilHaveAsync(RawPeer peer, TimeSpan within)
    {
        using var deadline = new CancellationTokenSource(within);
        while (true)
        {
            var (id, _) = await peer.ReceiveAsync().WaitAsync(deadline.Token);
            if (id == MessageId.Have)
            {
                return;
            }
        }
    }
}
