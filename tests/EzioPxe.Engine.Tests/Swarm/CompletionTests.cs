using EzioPxe.Engine.Metainfo;
using EzioPxe.TestSupport;
using Xunit.Abstractions;

namespace EzioPxe.Engine.Tests.Swarm;

/// <summary>
/// A session whose every piece is written and flushed completes, whatever happens to its peers
/// meanwhile. Seen in a room of 32: one machine logged "complete" and never finished, because
/// closing the seeds it was connected to threw before completion was signalled.
/// </summary>
public class CompletionTests(ITestOutputHelper output)
{
    private const int Leechers = 32;
    private const int Runs = 20;

    [Fact]
    public async Task Thirty_two_leechers_and_a_seeder_all_finish_twenty_times_in_a_row()
    {
        using var dir = new TempDirectory();
        // 33 pieces: every leecher finishes within moments of the others, closing its seeds while
        // they close theirs, which is when a completion got lost.
        var torrent = Torrent.Parse(SampleContent.Create(dir.Path, "content", new long[] { 700_001, 356_000 }, 32 * 1024));
        await using var seeder = await OwnSeeder.StartAsync(torrent, dir.Path);
        for (var run = 0; run < Runs; run++)
        {
            var started = DateTime.UtcNow;
            await using (var swarm = await LoopbackSwarm.StartAsync(torrent, dir, seeder.EndPoint, Leechers, prefix: $"r{run}-"))
            {
                await swarm.WaitForAllAsync(TimeSpan.FromSeconds(30));
                foreach (var session in swarm.Leechers)
                {
                    Assert.True(session.GetStatus().IsComplete);
                    Assert.Equal(0, session.GetStatus().HashFailures);
                }
                SampleContent.AssertSameTree(Path.Combine(dir.Path, "content"), Path.Combine(swarm.Targets[run % Leechers], "content"));
            }
            foreach (var target in Directory.EnumerateDirectories(dir.Path, $"r{run}-*"))
            {
                Directory.Delete(target, recursive: true);
            }
            output.WriteLine($"run {run}: {(DateTime.UtcNow - started).TotalSeconds:F1} s");
        }
    }
}
