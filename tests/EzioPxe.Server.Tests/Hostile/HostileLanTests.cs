using System.Text.RegularExpressions;
using EzioPxe.Server.Tests.Room;
using EzioPxe.TestSupport;
using Xunit.Abstractions;

namespace EzioPxe.Server.Tests.Hostile;

/// <summary>
/// The hostile LAN of issue 14, for real: `eziopxe serve` in a network namespace with full DHCP, a
/// QEMU machine that PXE-boots from it and deploys, and in a namespace of its own on the same
/// bridge a host (tests/hostile/lan_attacker.py, demo/run.sh --attack) that for the whole
/// deployment announces left=0 to hide the origin, holds 80 idle handshaken connections to the
/// origin, floods the tracker with 10,000 peer ids, reports thousands of made-up machines with any
/// key it can get, fakes done/downloading/failed for the real machine, stalls 572 TFTP transfers
/// (timeout 255, netascii) and sends bad Host headers. The machine must still deploy and verify,
/// the status page must tell the truth, the server's memory stay bounded and it keep serving.
/// </summary>
[Trait("Needs", "root")]
public sealed class HostileLanTests(ITestOutputHelper output)
{
    [Fact]
    [Trait("Needs", "root")]
    public void A_machine_deploys_and_the_status_tells_the_truth_while_a_host_beside_it_attacks()
    {
        using var work = new TempDirectory("hostile-lan");
        // One machine, the small disk of the other room tests (TCG on 2 cores): ~40 MiB travel.
        var (exitCode, text) = RepositoryScript.Run(output, "demo/run.sh",
            ["--machines", "1", "--attack", "--disk-size", "192", "--data", "24", "--timeout", "420", "--status-every", "30",
             "--work", work.Path, "--keep", "--server-dll", RepositoryScript.ServerDll()],
            TimeSpan.FromMinutes(10));

        // The machine: deployed through the attacks, and its disk verified file by file.
        Assert.Matches(@"(?m)^machine 1 52:54:00:77:00:01 ok [0-9.]+s$", text);
        Assert.Contains("machine 1: partition table, fsck.vfat, e2fsck and", text, StringComparison.Ordinal);
        // Every attack ran and every check of the attacker's verdict held (one line each).
        Assert.Contains("HOSTILE: ok", text, StringComparison.Ordinal);
        Assert.DoesNotContain("hostile FAILED", text, StringComparison.Ordinal);
        Assert.Matches(@"hostile ok: origin offered to a leecher in (\d+) of \1 announces despite \d+ left=0 claims", text);
        Assert.Matches(@"hostile ok: \d{5,} announces with distinct peer ids answered \(\d+ rounds of 10,000\), 0 with a failure", text);
        Assert.Matches(@"hostile ok: keys for made-up machines: [0-4] \(at most 4\); reports: 403 x\d{4,}", text);
        Assert.Matches(@"hostile ok: fake reports for the real machine: 403 x\d+", text);
        Assert.Matches(@"hostile ok: the real machine is shown done at 10\.77\.0\.1\d\d ", text);
        Assert.Contains("hostile ok: its history: ['done']", text, StringComparison.Ordinal);
        Assert.Contains("hostile ok: the real machine's state never went back", text, StringComparison.Ordinal);
        Assert.Contains("hostile ok: room demo: 1 finished of 1 counted, roomDone True", text, StringComparison.Ordinal);
        Assert.Matches(@"hostile ok: server memory: \d+ MiB before, at most \d+ MiB during the attacks", text);
        var idle = Regex.Match(text, @"hostile ok: (\d+) of 80 idle connections handshaken");
        Assert.True(idle.Success, "the idle-connection attack did not report");
        Assert.Equal(0, exitCode);
        // The attacker's log is in the work directory for a look after a failure.
        Assert.True(File.Exists(work.File("attack.log")));
    }
}
