using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace EzioPxe.Server.Tests.Room;

/// <summary>
/// bench/swarm.sh at its smallest (2 machines, 8 MiB, one round, ours and udpcast, every copy
/// checked), so that a benchmark that stops working fails CI instead of the next measurement:
/// it did once, silently, when jobs became deploy-on-demand and its machines got 404 for their job.
/// bench/sim.sh has no setting this small; the simulator is tested in EzioPxe.Sim.Tests.
/// </summary>
[Trait("Needs", "root")]
public sealed class SwarmBenchTests(ITestOutputHelper output)
{
    [Fact]
    [Trait("Needs", "root")]
    public void The_swarm_benchmark_delivers_to_every_machine_with_ours_and_udpcast()
    {
        var (exitCode, text) = RepositoryScript.Run(output, "bench/swarm.sh",
            ["--n", "2", "--size", "8", "--rounds", "1", "--methods", "ours udpcast", "--verify", "2", "--server-dll", RepositoryScript.ServerDll()],
            TimeSpan.FromMinutes(8));

        Assert.True(exitCode == 0, $"bench/swarm.sh exited {exitCode}:\n{text}");
        foreach (var method in new[] { "ours", "udpcast" })
        {
            // N Mbit MiB method round T T/(S/B) min median done verified: both machines done, both
            // copies right, and numbers where a failed transfer has "-" or a "*".
            Assert.True(Regex.IsMatch(text, $@"(?m)^2\s+100\s+8\s+{method}\s+1\s+\d+\.\d\s+\d+\.\d\d\s+\d+\.\d\s+\d+\.\d\s+2/2\s+2/2\s"),
                $"no complete row for {method} in the result table:\n{text}");
        }
    }
}
