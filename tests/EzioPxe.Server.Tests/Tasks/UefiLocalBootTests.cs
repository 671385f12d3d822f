using System.Globalization;
using System.Text.Json.Nodes;
using EzioPxe.Server.Tests.Http;
using EzioPxe.Server.Tests.Seeding;
using EzioPxe.TestSupport;
using EzioPxe.TestSupport.VirtualLan;

namespace EzioPxe.Server.Tests.Tasks;

/// <summary>
/// The UEFI side of "no task: boot the local disk", on a real OVMF machine whose boot order is a
/// lab PC's "network first, then disk": `eziopxe serve` (full DHCP, TFTP) in a virtual LAN hands
/// it snponly.efi, iPXE fetches the local-disk script, and the script's `exit` hands the machine
/// back to the firmware's boot manager, which starts its next boot entry: the disk, whose EFI
/// system partition holds a GRUB (grub-mkstandalone) that prints a marker. No kernel of ours runs
/// and the machine is shown waiting.
/// </summary>
[Collection(EzioPxe.Server.Tests.NetBoot.NetworkBootCollection.Name)]
public sealed class UefiLocalBootTests
{
    [Fact]
    [Trait("Needs", "root")]
    public void A_uefi_machine_without_a_task_leaves_ipxe_back_to_its_firmwares_boot_manager()
    {
        using var temp = new TempDirectory("uefi-local");
        Tool.Run("bash", [RepositoryPaths.Of("pxe/gather.sh"), temp.File("tftp")], TimeSpan.FromMinutes(1)).EnsureSuccess("pxe/gather.sh");

        using var lan = VirtualLan.Create("10.70.0.1/24");
        var image = TestImage.Create(temp.File("lab.img"), seed: 12, dataBytes: 1L << 20);
        Directory.CreateDirectory(temp.File("boot"));
        var port = FreePort.Tcp();
        var config = RunningServer.Config(temp.File("data"), image, c =>
        {
            c["Server"]!["Address"] = "10.70.0.1";
            c["Server"]!["HttpPort"] = port;
            c["Server"]!["BootDirectory"] = temp.File("boot");
            c["NetBoot"] = new JsonObject
            {
                ["Dhcp"] = "full", ["Interface"] = VirtualLan.BridgeName, ["RangeStart"] = "10.70.0.100", ["RangeEnd"] = "10.70.0.120",
                ["TftpRoot"] = temp.File("tftp"),
            };
        });
        File.WriteAllText(temp.File("eziopxe.json"), config.ToJsonString());
        var server = lan.Server.Start("dotnet", [WakeOnLanTests.ServerDll(), "serve", "--config", temp.File("eziopxe.json")]);
        server.WaitForOutput("DHCP (Full) on br0", TimeSpan.FromSeconds(60));

        using var machine = lan.StartMachine(new QemuMachineOptions
        {
            Firmware = QemuFirmware.Uefi, Nic = "virtio-net-pci", NicRomFile = "", MemoryMiB = 512,
            Disks = [UefiDisk(temp)], NetworkThenDisk = true,
            // IPv4 PXE only: an IPv6 attempt between the network and the disk would only cost time.
            ExtraArguments = ["-fw_cfg", "name=opt/org.tianocore/IPv6PXESupport,string=n"],
        });
        var mac = EzioPxe.Server.NetBoot.MacAddressText.Hyphenated(machine.Mac);
        var scriptLine = $"EzioPxe: no deployment task for {mac}: booting the local disk";
        machine.WaitForSerial(scriptLine, TimeSpan.FromSeconds(150));
        // After the script, the firmware's boot manager (BdsDxe) loads its next boot entry: the disk.
        var console = machine.WaitUntil(c => c.IndexOf(DiskMarker, c.IndexOf(scriptLine, StringComparison.Ordinal), StringComparison.Ordinal) >= 0,
            $"'{DiskMarker}' after the local-disk script", TimeSpan.FromSeconds(300));
        var after = console[console.IndexOf(scriptLine, StringComparison.Ordinal)..];
        Assert.Contains("BdsDxe: starting Boot", after, StringComparison.Ordinal);
        Assert.DoesNotContain("Linux version", console, StringComparison.Ordinal);

        Assert.Contains($"-> http://10.70.0.1:{port.ToString(CultureInfo.InvariantCulture)}/ipxe/{mac}.ipxe", server.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("network-booted: deploying", server.Output, StringComparison.Ordinal);
        var status = lan.Server.Run(TimeSpan.FromSeconds(10), "curl", "-s", $"http://10.70.0.1:{port.ToString(CultureInfo.InvariantCulture)}/status").StandardOutput;
        Assert.Matches($"\\{{\"mac\":\"{mac.Replace('-', ':')}\"[^}}]*\"state\":\"waiting\"", status);
    }

    private const string DiskMarker = "EzioPxe UEFI disk: booted from the local disk";

    /// <summary>A GPT disk whose EFI system partition has \EFI\BOOT\BOOTX64.EFI: a standalone GRUB that prints <see cref="DiskMarker"/>.</summary>
    private static string UefiDisk(TempDirectory temp)
    {
        File.WriteAllText(temp.File("grub.cfg"), $"echo \"{DiskMarker}\"\nsleep 600\n");
        Tool.Run("grub-mkstandalone", ["-O", "x86_64-efi", "--locales=", "--fonts=", "--themes=", "--modules=echo sleep",
            "-o", temp.File("BOOTX64.EFI"), "boot/grub/grub.cfg=" + temp.File("grub.cfg")], TimeSpan.FromMinutes(1)).EnsureSuccess("grub-mkstandalone");
        var esp = temp.File("esp.img");
        Tool.Run("mkfs.vfat", "-C", esp, "30720").EnsureSuccess("mkfs.vfat");
        Tool.Run("mmd", "-i", esp, "::/EFI", "::/EFI/BOOT").EnsureSuccess("mmd");
        Tool.Run("mcopy", "-i", esp, temp.File("BOOTX64.EFI"), "::/EFI/BOOT/BOOTX64.EFI").EnsureSuccess("mcopy");
        var disk = temp.File("uefi-disk.img");
        using (var file = File.Create(disk))
        {
            file.SetLength(40L << 20);
        }
        Tool.Run("sfdisk", ["-q", disk], TimeSpan.FromMinutes(1), standardInput: "label: gpt\nstart=2048, size=61440, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B\n").EnsureSuccess("sfdisk");
        using (var target = new FileStream(disk, FileMode.Open))
        {
            target.Position = 2048L * 512;
            using var source = File.OpenRead(esp);
            source.CopyTo(target);
        }
        return disk;
    }
}
