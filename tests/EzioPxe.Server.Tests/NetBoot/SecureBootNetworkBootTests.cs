using EzioPxe.TestSupport;
using EzioPxe.TestSupport.VirtualLan;
using Xunit.Abstractions;

namespace EzioPxe.Server.Tests.NetBoot;

/// <summary>
/// Network boot with UEFI Secure Boot enforced (OVMF_CODE_4M.ms.fd + OVMF_VARS_4M.ms.fd: Microsoft's
/// keys enrolled) through our full DHCP and TFTP: Debian's Microsoft-signed shim, Debian-signed
/// network GRUB with the per-machine config we generate, the signed kernel and our real initramfs
/// (out/boot, `./build.sh initramfs`), which reads SecureBoot from efivars and starts the client
/// under the kernel's lockdown. And the counter-proof: the same firmware refuses iPXE's unsigned
/// snponly.efi. Same class: the two TCG guests never share the 2 cores.
/// </summary>
[Collection(NetworkBootCollection.Name)]
public sealed class SecureBootNetworkBootTests(NetBootAssets assets, ITestOutputHelper output) : IClassFixture<NetBootAssets>
{
    private static readonly TimeSpan BootTimeout = TimeSpan.FromSeconds(180);

    [Fact]
    [Trait("Needs", "root")]
    public void Secure_Boot_machine_boots_shim_grub_and_the_signed_kernel_and_the_initramfs_starts_the_client_under_lockdown()
    {
        var initramfs = RepositoryPaths.Of("out/boot/initramfs.img");
        Assert.True(File.Exists(initramfs), $"{initramfs} is missing: run ./build.sh initramfs first");
        File.Copy(initramfs, Path.Combine(assets.Root, "initramfs.img"), overwrite: true);
        var job = "secureboot-" + Guid.NewGuid().ToString("N")[..8];
        using var lan = VirtualLan.Create();
        // Nothing answers on 10.66.0.1:8080, so the client starts, cannot fetch its job and fails
        // visibly: enough to show it runs under lockdown (the deploying run is the whole-room test).
        using var server = NetBootServerProcess.Start(lan.Server,
            "--root", assets.Root, "--listen", "10.66.0.1", "--dhcp", "full", "--interface", VirtualLan.BridgeName,
            "--server-address", "10.66.0.1", "--range", "10.66.0.100-10.66.0.150", "--lease-file", assets.Scratch($"{job}.leases"),
            "--bios", "pxelinux.0", "--efi64", "shimx64.efi", "--ipxe-script-url", "none", "--initrd", "initramfs.img",
            // ezio.serverwait=0: nothing answers on 8080, and the client must give up at once, not retry for minutes.
            "--cmdline", $"console=ttyS0 ezio.server=10.66.0.1:8080 ezio.job={job} ezio.serverwait=0");
        var disk = assets.Scratch($"{job}.disk");
        using (var file = File.Create(disk))
        {
            file.SetLength(64L << 20);
        }
        using var machine = lan.StartMachine(new QemuMachineOptions
        {
            Firmware = QemuFirmware.UefiSecureBoot, Nic = "virtio-net-pci", NicRomFile = "", MemoryMiB = 768, Disks = [disk],
        });

        var console = WaitFor(machine, server, "eziopxe-client exited with status");

        Assert.Contains("EFI stub: UEFI Secure Boot is enabled.", console, StringComparison.Ordinal);
        Assert.Contains("Kernel is locked down from EFI Secure Boot", console, StringComparison.Ordinal);
        // Our init read the firmware's SecureBoot variable and the kernel's lockdown mode.
        Assert.Contains(" boot  UEFI, Secure Boot enabled, lockdown integrity", console, StringComparison.Ordinal);
        Assert.Contains($"ezio.job={job}", console, StringComparison.Ordinal);
        Assert.Contains("starting /bin/eziopxe-client", console, StringComparison.Ordinal);
        // The client itself ran (its own error, not the loader's): it got as far as asking for its job.
        Assert.Contains("eziopxe-client: FAILED", console, StringComparison.Ordinal);
        Assert.Contains("10.66.0.1:8080", console[console.IndexOf("starting /bin/eziopxe-client", StringComparison.Ordinal)..], StringComparison.Ordinal);
        // The chain, as our TFTP server saw it: shim, then GRUB from the same directory, then this
        // machine's own generated GRUB config, then the kernel and initramfs.
        var mac = QemuMachine.FormatMac(machine.Mac);
        Assert.Contains("(EfiBc) -> shimx64.efi", server.Output, StringComparison.Ordinal);
        Assert.Contains(" grubx64.efi: ", server.Output, StringComparison.Ordinal);
        Assert.Contains($"/grub/grub.cfg-01-{mac}: ", server.Output, StringComparison.Ordinal);
        Assert.Contains(" /initramfs.img: ", server.Output, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Needs", "root")]
    public void The_same_Secure_Boot_machine_refuses_ipxes_unsigned_snponly_efi()
    {
        var job = "unsigned-" + Guid.NewGuid().ToString("N")[..8];
        using var lan = VirtualLan.Create();
        using var server = NetBootServerProcess.Start(lan.Server,
            "--root", assets.Root, "--listen", "10.66.0.1", "--dhcp", "full", "--interface", VirtualLan.BridgeName,
            "--server-address", "10.66.0.1", "--range", "10.66.0.100-10.66.0.150", "--lease-file", assets.Scratch($"{job}.leases"),
            "--bios", "undionly.kpxe", "--efi64", "snponly.efi", "--ipxe-script-url", "tftp://10.66.0.1/ipxe/{mac}.ipxe",
            "--cmdline", $"console=ttyS0 ezio.job={job}");
        using var machine = lan.StartMachine(new QemuMachineOptions
        {
            Firmware = QemuFirmware.UefiSecureBoot, Nic = "virtio-net-pci", NicRomFile = "", MemoryMiB = 512,
        });

        // EDK2's boot manager: 'failed to load Boot0001 "UEFI PXEv4 (MAC:...)" ...: Access Denied'.
        var console = WaitFor(machine, server, "Access Denied");

        Assert.Contains(" snponly.efi: ", server.Output, StringComparison.Ordinal);
        Assert.Matches(@"failed to load Boot\d+ ""UEFI PXEv4[^""]*"" from [^:]*: Access Denied", console);
        // iPXE never ran: no iPXE banner, no second DHCP round as iPXE, no script fetched.
        Assert.DoesNotContain("iPXE initialising", console, StringComparison.Ordinal);
        Assert.DoesNotContain(", iPXE)", server.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(".ipxe: ", server.Output, StringComparison.Ordinal);
    }

    private string WaitFor(QemuMachine machine, BackgroundProcess server, string text)
    {
        var started = DateTime.UtcNow;
        try
        {
            machine.WaitForSerial(text, BootTimeout);
            // Let the console finish the lines around it.
            Thread.Sleep(1500);
            var console = machine.SerialOutput;
            output.WriteLine($"'{text}' after {(DateTime.UtcNow - started).TotalSeconds:F0} s\n--- netboot server ---\n{server.Output}\n--- console ---\n{console}");
            return console;
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            throw new InvalidOperationException($"{e.Message}\n--- netboot server ---\n{server.Output}", e);
        }
    }
}
