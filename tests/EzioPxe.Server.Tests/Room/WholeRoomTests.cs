using System.Text.RegularExpressions;
using EzioPxe.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace EzioPxe.Server.Tests.Room;

/// <summary>
/// The whole product end to end, as `./build.sh demo` shows it: demo/run.sh makes a golden GPT disk
/// (FAT32 + ext4), runs `eziopxe serve` in a network namespace, and QEMU machines PXE-boot from it
/// (iPXE ROM -> DHCP -> iPXE script -> our kernel + initramfs over HTTP). The first test is the
/// proof chain of a real lab: a reference PC holding the golden disk is armed with a capture job,
/// network-boots, sends its disk's used blocks to the server and powers off (the captured torrent
/// equals `eziopxe image create` of that disk); the server is restarted, and three machines deploy
/// the captured image with our client through the swarm and power off; the script then checks
/// every disk (partition table, fsck, every file's SHA-256). Machine 2's disk is smaller than the
/// image: it must be refused, say so on its console and report the error to the server, while
/// the others finish. Deploy on demand: the machines are listed and armed with `eziopxe deploy`;
/// booted again after their deployment (task done) they are sent to their own disks, which boot
/// (the golden disk's boot code prints a marker) and are not rewritten; an unlisted machine is
/// shown "waiting", is sent to its own disk and is never written to.
/// </summary>
[Trait("Needs", "root")]
public sealed partial class WholeRoomTests(ITestOutputHelper output)
{
    // Small enough for CI (2 cores, QEMU without KVM): a 192 MiB disk of which ~40 MiB travels.
    private static readonly string[] Scenario =
        ["--machines", "3", "--small-disk", "2", "--disk-size", "192", "--data", "24", "--timeout", "300", "--status-every", "15",
         "--boot-again", "--stranger", "--capture"];

    [Fact]
    [Trait("Needs", "root")]
    public void A_reference_pc_captures_its_disk_then_three_machines_pxe_boot_two_deploy_it_the_too_small_disk_is_refused_and_done_machines_boot_their_disks()
    {
        var arguments = Scenario.Append("--server-dll").Append(RepositoryScript.ServerDll()).ToArray();

        var (exitCode, text) = RepositoryScript.Run(output, "demo/run.sh", arguments, TimeSpan.FromMinutes(10));

        // The image the room deploys is the reference PC's capture, through its PXE-booted client.
        Assert.Matches(@"reference machine 52:54:00:77:00:a0: captured its disk as image demo in [0-9.]+ s, info-hash [0-9a-f]{40}: the same as eziopxe image create of that disk", text);
        Assert.Matches(@"the server serves the capture: image demo: \S+/data/captures/demo\.torrent", text);

        var machines = MachineLine().Matches(text).ToDictionary(m => int.Parse(m.Groups["index"].Value));
        Assert.True(machines.Count == 3, $"expected one closing line per machine:\n{text}");
        Assert.Equal("52:54:00:77:00:01", machines[1].Groups["mac"].Value);
        Assert.Equal("ok", machines[1].Groups["result"].Value);
        Assert.Equal("refused", machines[2].Groups["result"].Value);
        Assert.Equal("ok", machines[3].Groups["result"].Value);
        Assert.Equal(0, exitCode);

        // The verification really ran on the two deployed disks, and the refusal reached both the
        // server's status and the refused machine's console.
        Assert.Contains("machine 1: partition table, fsck.vfat, e2fsck and", text);
        Assert.Contains("machine 3: partition table, fsck.vfat, e2fsck and", text);
        Assert.Matches(@"server status for machine 2 \(52:54:00:77:00:02\): failed: .*too small", text);
        Assert.Matches(@"machine 2: its console says: it is too small", text);
        Assert.Contains("RESULT: every machine did what was expected", text);

        // Armed on demand, once: the second boot found no task and started the local disk.
        Assert.Contains("job demo is armed for 3 machine(s)", text);
        Assert.Matches(@"machine 1: second boot: no task, sent to its disk, which booted \(""EzioPxe demo disk: booted from the local disk""\) after [0-9.]+ s; disk unchanged; still shown done", text);
        Assert.Matches(@"machine 3: second boot: no task, sent to its disk, which booted .* disk unchanged; still shown done", text);
        Assert.DoesNotContain("machine 2: second boot", text);
        Assert.Matches(@"stranger 52:54:00:77:00:99: shown waiting, sent to its own disk \(console: EzioPxe: no deployment task for 52-54-00-77-00-99: booting the local disk\), disk untouched", text);
        // The machine lines close the output, for scripts that read only the tail.
        var lastLines = text.TrimEnd().Split('\n')[^3..];
        Assert.All(lastLines, line => Assert.Matches(MachineLine(), line));
    }

    /// <summary>
    /// A power cut halfway: machine 2's QEMU is killed once its console shows 40 % downloaded and
    /// started again. Its client must check what the disk already holds, find the pieces written
    /// before the cut (more than none, fewer than all), move only the rest, and verify like machine 1.
    /// </summary>
    [Fact]
    [Trait("Needs", "root")]
    public void A_machine_powered_off_halfway_is_booted_again_and_finishes_with_what_is_missing()
    {
        // The server's link at 8 Mbit/s: the transfer (a second without a limit) lasts long enough to be cut.
        string[] scenario = ["--machines", "2", "--power-cut", "2", "--server-link", "8", "--disk-size", "192", "--data", "24", "--timeout", "300", "--status-every", "30"];

        var (exitCode, text) = RepositoryScript.Run(output, "demo/run.sh", [.. scenario, "--server-dll", RepositoryScript.ServerDll()], TimeSpan.FromMinutes(8));

        Assert.Matches(@"machine 2: power cut at \d+ % downloaded \(QEMU killed\); starting it again", text);
        var check = Regex.Match(text, @"machine 2: after the power cut: existing data checked, (?<found>\d+) of (?<count>\d+) pieces present");
        Assert.True(check.Success, $"the restarted client did not log its check:\n{text}");
        var (found, count) = (int.Parse(check.Groups["found"].Value), int.Parse(check.Groups["count"].Value));
        Assert.InRange(found, 1, count - 1);
        Assert.Contains("machine 1: partition table, fsck.vfat, e2fsck and", text);
        Assert.Contains("machine 2: partition table, fsck.vfat, e2fsck and", text);
        var machines = MachineLine().Matches(text).ToDictionary(m => int.Parse(m.Groups["index"].Value));
        Assert.Equal("ok", machines[1].Groups["result"].Value);
        Assert.Equal("ok", machines[2].Groups["result"].Value);
        Assert.Equal(0, exitCode);
    }

    /// <summary>
    /// The same room with one machine whose firmware enforces Secure Boot (OVMF, Microsoft's keys):
    /// `eziopxe serve` with NetBoot:SecureBoot hands it Debian's signed shim, GRUB gets this
    /// machine's config and the signed kernel by TFTP, the client deploys under lockdown, the disk
    /// verifies, and `eziopxe status` shows the path the machine took.
    /// </summary>
    [Fact]
    [Trait("Needs", "root")]
    public void A_secure_boot_machine_boots_the_signed_chain_deploys_and_the_status_shows_its_boot_path()
    {
        using var work = new TempDirectory("room-secureboot");
        var (exitCode, text) = RepositoryScript.Run(output, "demo/run.sh",
            ["--machines", "1", "--firmware", "secureboot", "--disk-size", "192", "--data", "24", "--timeout", "300", "--status-every", "30",
             "--work", work.Path, "--keep", "--server-dll", RepositoryScript.ServerDll()],
            TimeSpan.FromMinutes(7));

        var machines = MachineLine().Matches(text);
        Assert.True(machines.Count == 1 && machines[0].Groups["result"].Value == "ok", $"expected machine 1 ok:\n{text}");
        Assert.Contains("machine 1: partition table, fsck.vfat, e2fsck and", text);
        Assert.Equal(0, exitCode);
        var console = File.ReadAllText(work.File("machine1.log"));
        Assert.Contains("EFI stub: UEFI Secure Boot is enabled.", console, StringComparison.Ordinal);
        Assert.Contains(" boot  UEFI, Secure Boot enabled, lockdown integrity", console, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^52:54:00:77:00:01 .*UEFI Secure Boot/shim\+GRUB \(shimx64\.efi\)\s*$", text);
    }

    /// <summary>
    /// One machine booting by UEFI HTTP boot only (OVMF's PXE switched off): `eziopxe serve` with
    /// NetBoot:HttpBoot answers its "HTTPClient" DHCP request with the URL of iPXE under /netboot/,
    /// and the machine deploys and verifies like the others.
    /// </summary>
    [Fact]
    [Trait("Needs", "root")]
    public void A_uefi_http_boot_machine_deploys_and_the_status_shows_its_boot_path()
    {
        var (exitCode, text) = RepositoryScript.Run(output, "demo/run.sh",
            ["--machines", "1", "--firmware", "http", "--disk-size", "192", "--data", "24", "--timeout", "300", "--status-every", "30",
             "--server-dll", RepositoryScript.ServerDll()],
            TimeSpan.FromMinutes(7));

        var machines = MachineLine().Matches(text);
        Assert.True(machines.Count == 1 && machines[0].Groups["result"].Value == "ok", $"expected machine 1 ok:\n{text}");
        Assert.Contains("machine 1: partition table, fsck.vfat, e2fsck and", text);
        Assert.Equal(0, exitCode);
        Assert.Matches(@"(?m)^52:54:00:77:00:01 .*UEFI HTTP \(snponly\.efi\)\s*$", text);
    }

    [GeneratedRegex(@"^machine (?<index>\d+) (?<mac>[0-9a-f:]{17}) (?<result>ok|refused|failed) (?<seconds>[0-9.]+)s$", RegexOptions.Multiline)]
    private static partial Regex MachineLine();
}
