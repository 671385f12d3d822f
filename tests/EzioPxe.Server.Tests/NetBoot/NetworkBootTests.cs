using EzioPxe.TestSupport;
using Xunit.Abstractions;
using EzioPxe.TestSupport.VirtualLan;

namespace EzioPxe.Server.Tests.NetBoot;

/// <summary>
/// Whole network boots of QEMU machines (-accel tcg) on a virtual LAN, from power-on to our kernel
/// and initramfs, whose /init prints the kernel command line it received. One test per firmware
/// and DHCP mode; they run one after the other (same class) so two TCG guests never share 2 cores.
/// </summary>
[Trait("Needs", "root")]
[Collection(NetworkBootCollection.Name)]
public sealed class NetworkBootTests(NetBootAssets assets, ITestOutputHelper output) : IClassFixture<NetBootAssets>
{
    private static readonly TimeSpan BootTimeout = TimeSpan.FromSeconds(150);

    /// <summary>The python http.server the UEFI tests start for kernel and initramfs (<see cref="StartHttpServer"/>).</summary>
    private const string HttpBase = $"http://{NetBootArguments.Server}:8000/";

    /// <summary>A UEFI machine whose firmware does the first step: romfile= (empty) removes QEMU's iPXE ROM, so OVMF's own PXE client runs.</summary>
    private static readonly QemuMachineOptions UefiPxe = new() { Firmware = QemuFirmware.Uefi, Nic = "virtio-net-pci", NicRomFile = "", MemoryMiB = 512 };

    [Fact]
    public void Bios_machine_boots_pxelinux_from_our_proxy_dhcp_beside_the_sites_dnsmasq()
    {
        var job = "bios-proxy-" + Guid.NewGuid().ToString("N")[..8];
        using var lan = VirtualLan.Create();
        StartSiteDhcp(lan, job);
        using var server = NetBootServerProcess.Start(lan.Server,
            new NetBootArguments(assets.Root, "proxy") { Bios = "pxelinux.0", Efi = "grubnetx64.efi", Job = job }.ToArray());

        // QEMU's own e1000 ROM is iPXE; without a script URL it is handed pxelinux.0 like any BIOS PXE ROM.
        using var machine = lan.StartMachine(new QemuMachineOptions { Firmware = QemuFirmware.Bios, Nic = "e1000" });
        var console = WaitForCommandLine(machine, server);

        Assert.Contains($"ezio.job={job}", console, StringComparison.Ordinal);
        Assert.Contains("initrd=initrd.img", console, StringComparison.Ordinal);
        Assert.Contains("TFTP", server.Output, StringComparison.Ordinal);
        Assert.Contains($"pxelinux.cfg/01-{EzioPxe.Server.NetBoot.MacAddressText.Hyphenated(machine.Mac)}", server.Output, StringComparison.Ordinal);
        // The address came from dnsmasq, not from us.
        Assert.Contains(QemuMachine.FormatMac(machine.Mac) + " 10.66.0.1", File.ReadAllText(assets.Scratch($"dnsmasq-{job}.leases")), StringComparison.Ordinal);
    }

    [Fact]
    public void Uefi_machine_boots_ipxe_then_a_script_and_kernel_over_http_from_our_full_dhcp()
    {
        var job = "uefi-full-" + Guid.NewGuid().ToString("N")[..8];
        using var lan = VirtualLan.Create();
        StartHttpServer(lan);
        using var server = NetBootServerProcess.Start(lan.Server,
            new NetBootArguments(assets.Root, "full") { LeaseFile = assets.Scratch($"{job}.leases"), IpxeHttpBase = HttpBase, Job = job }.ToArray());

        using var machine = lan.StartMachine(UefiPxe);
        var console = WaitForCommandLine(machine, server);

        Assert.Contains($"ezio.job={job}", console, StringComparison.Ordinal);
        // Without initrd=NAME an EFI-stub kernel started by iPXE silently has no initramfs, and /init would never run.
        Assert.Contains("initrd=initrd.img", console, StringComparison.Ordinal);
        var mac = EzioPxe.Server.NetBoot.MacAddressText.Hyphenated(machine.Mac);
        Assert.Contains($"(EfiBc) -> snponly.efi", server.Output, StringComparison.Ordinal);
        Assert.Contains($"-> tftp://10.66.0.1/ipxe/{mac}.ipxe", server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Uefi_machine_boots_through_our_proxy_dhcp_beside_the_sites_dnsmasq()
    {
        var job = "uefi-proxy-" + Guid.NewGuid().ToString("N")[..8];
        using var lan = VirtualLan.Create();
        StartSiteDhcp(lan, job);
        StartHttpServer(lan);
        using var server = NetBootServerProcess.Start(lan.Server,
            new NetBootArguments(assets.Root, "proxy") { IpxeHttpBase = HttpBase, Job = job }.ToArray());

        using var machine = lan.StartMachine(UefiPxe);
        var console = WaitForCommandLine(machine, server);

        Assert.Contains($"ezio.job={job}", console, StringComparison.Ordinal);
        Assert.Contains("initrd=initrd.img", console, StringComparison.Ordinal);
        Assert.Contains(QemuMachine.FormatMac(machine.Mac) + " 10.66.0.1", File.ReadAllText(assets.Scratch($"dnsmasq-{job}.leases")), StringComparison.Ordinal);
    }

    /// <summary>Any static HTTP server does for the kernel and initramfs (`eziopxe serve` uses Kestrel); on the LAN's server host.</summary>
    private void StartHttpServer(VirtualLan lan) =>
        lan.Server.Start("/usr/bin/python3", ["-m", "http.server", "8000", "--bind", NetBootArguments.Server, "--directory", assets.Root]);

    /// <summary>The site's own DHCP server (dnsmasq on a host of its own) hands out addresses and knows nothing about network boot.</summary>
    private void StartSiteDhcp(VirtualLan lan, string job)
    {
        var site = lan.AddHost("10.66.0.2/24");
        site.Namespace.Start("dnsmasq", [
            "--no-daemon", "--conf-file=/dev/null", "--port=0", "--user=root", "--interface=eth0", "--bind-interfaces",
            "--dhcp-range=10.66.0.100,10.66.0.150,255.255.255.0,1h", "--dhcp-leasefile=" + assets.Scratch($"dnsmasq-{job}.leases"),
            "--pid-file=" + assets.Scratch($"dnsmasq-{job}.pid"), "--log-dhcp",
        ]);
    }

    private string WaitForCommandLine(QemuMachine machine, BackgroundProcess server)
    {
        try
        {
            var started = DateTime.UtcNow;
            var console = machine.WaitForSerial("CMDLINE: ", BootTimeout);
            // The line is complete once the machine powers itself off.
            machine.WaitForExit(TimeSpan.FromSeconds(30));
            console = machine.SerialOutput;
            var line = console[console.IndexOf("CMDLINE: ", StringComparison.Ordinal)..].Split('\n')[0].TrimEnd('\r');
            output.WriteLine($"booted in {(DateTime.UtcNow - started).TotalSeconds:F0} s: {line}\n--- netboot server ---\n{server.Output}");
            return line;
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            throw new InvalidOperationException($"{e.Message}\n--- netboot server ---\n{server.Output}", e);
        }
    }
}
