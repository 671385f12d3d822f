using System.Globalization;
using System.Text.Json.Nodes;
using EzioPxe.Server.Tests.Http;
using EzioPxe.Server.Tests.Seeding;
using EzioPxe.TestSupport;
using EzioPxe.TestSupport.VirtualLan;

namespace EzioPxe.Server.Tests.Tasks;

/// <summary>
/// The UEFI side of "no task: boot the local disk", on a real OVMF machine: `eziopxe serve` (full
/// DHCP, TFTP) in a virtual LAN hands it snponly.efi, iPXE fetches the local-disk script, and the
/// script's `exit` hands the machine back to the firmware's boot manager, which starts its next
/// boot entry (on a PC: the disk, when the boot order is network first, then disk). Here OVMF's
/// next entry after PXE is its setup application: what matters is that the firmware, not iPXE or
/// our kernel, has the machine again.
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
        });
        var mac = EzioPxe.Server.NetBoot.MacAddressText.Hyphenated(machine.Mac);
        var scriptLine = $"EzioPxe: no deployment task for {mac}: booting the local disk";
        machine.WaitForSerial(scriptLine, TimeSpan.FromSeconds(150));
        // After the script, the firmware's boot manager (BdsDxe) loads its next boot entry.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        string console;
        do
        {
            Thread.Sleep(500);
            console = machine.SerialOutput;
        }
        while (console.IndexOf("BdsDxe: loading", console.IndexOf(scriptLine, StringComparison.Ordinal), StringComparison.Ordinal) < 0 && DateTime.UtcNow < deadline);
        var after = console[console.IndexOf(scriptLine, StringComparison.Ordinal)..];
        Assert.Contains("BdsDxe: loading Boot", after, StringComparison.Ordinal);
        Assert.DoesNotContain("Linux version", console, StringComparison.Ordinal);

        Assert.Contains($"-> http://10.70.0.1:{port.ToString(CultureInfo.InvariantCulture)}/ipxe/{mac}.ipxe", server.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("network-booted: deploying", server.Output, StringComparison.Ordinal);
        var status = lan.Server.Run(TimeSpan.FromSeconds(10), "curl", "-s", $"http://10.70.0.1:{port.ToString(CultureInfo.InvariantCulture)}/status").StandardOutput;
        Assert.Matches($"\\{{\"mac\":\"{mac.Replace('-', ':')}\"[^}}]*\"state\":\"waiting\"", status);
    }
}
