using EzioPxe.Client.Tests.Deployment;
using EzioPxe.Client.Tests.Disk;
using EzioPxe.TestSupport;
using Xunit.Abstractions;

namespace EzioPxe.Client.Tests.Vm;

/// <summary>
/// The proof that a deployed disk boots: the published client deploys the bootable golden (GPT,
/// GRUB i386-pc in the BIOS boot partition, GRUB x86_64-efi on the ESP, a kernel and an ext4 root)
/// from our seeder onto a loop device full of random bytes and onto one 1 GiB larger, and each
/// result boots in QEMU (TCG) by SeaBIOS and by OVMF to the marker the golden's init reads from its
/// root file system. (The swarm itself is proven by the whole-room test; booting is the point here.)
/// </summary>
[Trait("Needs", "root")]
public sealed class DeployedDiskBootTests(BootableGoldenFixture golden, ITestOutputHelper output) : IClassFixture<BootableGoldenFixture>
{
    private const string Ovmf = "/usr/share/OVMF/OVMF_CODE_4M.fd";
    private const string OvmfVars = "/usr/share/OVMF/OVMF_VARS_4M.fd";

    [Theory]
    [InlineData("random")]
    [InlineData("larger")]
    public async Task The_deployed_disk_boots_by_BIOS_and_by_UEFI(string kind)
    {
        Assert.True(File.Exists(RepositoryPaths.ClientBinary), $"{RepositoryPaths.ClientBinary} is missing: run ./build.sh client first");
        using var area = new DiskTestArea();
        using var dir = new TempDirectory();
        var trackerPort = FreePort.Tcp();
        var image = golden.Image(dir.Path, Opentracker.UrlFor(trackerPort));
        using var tracker = Opentracker.Start(dir.Path, [image.Torrent.InfoHash], trackerPort);
        await tracker.WaitForAsync(image.Torrent.InfoHash);
        using var web = new TorrentWebServer(image.Bytes);
        var backing = RealDiskDeploymentTests.MakeTarget(kind, area.Path, golden.Size);
        var loop = area.AttachLoop(backing);
        await using (var seeder = await OwnSeeder.StartAsync(image.Torrent, dir.Path))
        {
            var run = ClientDeploymentTests.RunClient(web, loop);
            output.WriteLine(run.StandardOutput + run.StandardError);
            Assert.True(run.ExitCode == 11, run.StandardOutput + run.StandardError);
        }
        area.DetachLoop(loop);
        var verify = Tool.Run("sgdisk", "-v", backing);
        Assert.True(verify.StandardOutput.Contains("No problems found", StringComparison.Ordinal), verify.StandardOutput + verify.StandardError);

        // Both firmwares at once (two cores); -snapshot: the boots do not change the disk.
        var bios = Task.Run(() => Boot(backing, uefi: false, area.Path));
        var uefi = Task.Run(() => Boot(backing, uefi: true, area.Path));
        var (biosConsole, uefiConsole) = (await bios, await uefi);
        output.WriteLine("--- BIOS ---\n" + biosConsole + "\n--- UEFI ---\n" + uefiConsole);
        Assert.Contains($"EZIOPXE-GOLDEN-BOOTED BIOS {golden.Marker}", biosConsole, StringComparison.Ordinal);
        Assert.Contains($"EZIOPXE-GOLDEN-BOOTED UEFI {golden.Marker}", uefiConsole, StringComparison.Ordinal);
    }

    /// <summary>Boots the disk until the init powers off (or 4 minutes pass) and returns the serial console.</summary>
    private static string Boot(string disk, bool uefi, string directory)
    {
        var name = uefi ? "uefi" : "bios";
        var console = Path.Combine(directory, name + ".log");
        var arguments = new List<string>
        {
            "-accel", "tcg", "-m", "512", "-smp", "1", "-no-reboot", "-nic", "none",
            "-display", "none", "-monitor", "none", "-serial", "file:" + console,
            "-drive", $"file={disk},format=raw,if=virtio", "-snapshot",
        };
        if (uefi)
        {
            var vars = Path.Combine(directory, "ovmf-vars.fd");
            File.Copy(OvmfVars, vars, overwrite: true);
            arguments.AddRange(["-machine", "q35", "-drive", $"if=pflash,format=raw,readonly=on,file={Ovmf}", "-drive", $"if=pflash,format=raw,file={vars}"]);
        }
        var result = Tool.Run("qemu-system-x86_64", arguments, TimeSpan.FromMinutes(4));
        var text = File.Exists(console) ? File.ReadAllText(console) : "";
        return $"{text}\n[qemu exited {result.ExitCode}] {result.StandardError}";
    }
}
