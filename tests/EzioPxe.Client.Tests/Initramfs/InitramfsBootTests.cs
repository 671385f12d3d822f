using System.Text.RegularExpressions;
using EzioPxe.TestSupport;
using EzioPxe.TestSupport.VirtualLan;
using Xunit.Abstractions;

namespace EzioPxe.Client.Tests.Initramfs;

/// <summary>
/// Boots the real kernel and initramfs in QEMU (TCG) with virtual disks and NICs and reads the
/// serial console. NICs are either on a QEMU hub with nothing else on it (packets go nowhere) or
/// on a <see cref="VirtualLan"/> the test creates, with dnsmasq as the LAN's DHCP server.
/// </summary>
[Trait("Needs", "root")]
[Collection(InitramfsCollection.Name)]
public sealed class InitramfsBootTests(BootImage image, ITestOutputHelper output) : IDisposable
{
    // A TCG boot of the Debian kernel takes seconds alone, but CI shares 2 cores with other tests.
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);
    private const string Prompt = "eziopxe:/# ";

    private readonly TempDirectory _temp = new("eziopxe-initramfs-boot");

    /// <summary>A raw disk of the given size as a sparse file (it takes no space until written).</summary>
    private string SparseDisk(string name, int mebibytes)
    {
        var path = _temp.File(name);
        using var file = File.Create(path);
        file.SetLength(mebibytes * 1024L * 1024L);
        return path;
    }

    private static string[] AhciDisk(string path) => new[]
    {
        "-device", "ahci,id=ahci",
        "-drive", $"id=sata0,file={path},if=none,format=raw",
        "-device", "ide-hd,drive=sata0,bus=ahci.0",
    };

    /// <summary>
    /// Boots the kernel and initramfs directly. The NIC's only peer is an otherwise empty QEMU hub:
    /// it has a link, and nothing answers. romfile= leaves out the NIC's iPXE option ROM (we boot
    /// with -kernel, and the ROM costs seconds).
    /// </summary>
    private QemuMachine Boot(string kernelArguments, string nic, IReadOnlyList<string>? disks = null, IReadOnlyList<string>? devices = null) =>
        QemuMachine.StartIsolated(Options(kernelArguments, nic, disks, devices), _temp.Path);

    private QemuMachineOptions Options(string kernelArguments, string nic, IReadOnlyList<string>? disks = null, IReadOnlyList<string>? devices = null) => new()
    {
        Kernel = image.KernelPath,
        Initrd = image.InitramfsPath,
        KernelArguments = kernelArguments,
        MemoryMiB = 512,
        Nic = nic,
        NicRomFile = "",
        Disks = disks ?? [],
        ExtraArguments = devices ?? [],
    };

    private static int Occurrences(string text, string part) => (text.Length - text.Replace(part, "", StringComparison.Ordinal).Length) / part.Length;

    private void Log(QemuMachine machine) => output.WriteLine(machine.SerialOutput);

    [Fact]
    public void VirtioBlkAhciAndE1000_DriversLoad_AndTheSummaryListsTheDisksAndNic()
    {
        using var machine = Boot("ip=off ezio.init=dry", "e1000", [SparseDisk("virtio.img", 64)], AhciDisk(SparseDisk("sata.img", 32)));
        try
        {
            machine.WaitForSerial("ezio.init=dry: not starting /bin/eziopxe-client", Timeout);
            // Dry runs power off, which ends QEMU.
            Assert.True(machine.WaitForExit(Timeout), "the dry run did not power the machine off");
        }
        finally
        {
            Log(machine);
        }

        var console = machine.SerialOutput;
        Assert.Matches(@"disk +vda +64 MiB +virtio_blk +pci \S+ virtio-pci", console);
        Assert.Matches(@"disk +sda +32 MiB +sd +QEMU HARDDISK +pci \S+ ahci", console);
        Assert.Matches($@"nic +eth0 +{QemuMachine.FormatMac(machine.Mac)} +e1000 ", console);
        Assert.Contains("net   disabled by ip=off", console, StringComparison.Ordinal);
        Assert.DoesNotContain("NO DRIVER", console, StringComparison.Ordinal);
        Assert.DoesNotContain("FAILED", console, StringComparison.Ordinal);
        Assert.DoesNotContain("Kernel panic", console, StringComparison.Ordinal);
    }

    [Fact]
    public void StaticIpAndDebugShell_TheShellOpensBeforeTheClient_AndLeavingItContinuesTheBoot()
    {
        // The kernel's ip= syntax: client::gateway:netmask:hostname:device:autoconf:dns0.
        const string staticIp = "ip=10.213.9.2::10.213.9.1:255.255.255.0:lab-pc-7:eth0:off:10.213.9.1";
        using var machine = Boot(staticIp + " ezio.init=dry ezio.debug=shell", "virtio-net-pci", [SparseDisk("virtio.img", 16)]);
        try
        {
            machine.WaitForSerial("ezio.debug=shell: a shell before the client", Timeout);
            machine.WaitForSerial(Prompt, Timeout);
            Assert.Matches(@"nic +eth0 +\S+ +virtio_net +link up +10\.213\.9\.2/24 \(static\)", machine.SerialOutput);
            Assert.Contains("net   eth0 10.213.9.2/24 router 10.213.9.1 dns 10.213.9.1", machine.SerialOutput, StringComparison.Ordinal);
            machine.SendLine("ip route | grep default; hostname; echo ROUTE-$((1+2))");
            machine.WaitForSerial("ROUTE-3\n", Timeout);
            Assert.Contains("default via 10.213.9.1 dev eth0", machine.SerialOutput, StringComparison.Ordinal);
            Assert.Contains("\nlab-pc-7\n", machine.SerialOutput, StringComparison.Ordinal);

            // The arithmetic makes the marker appear only in the command's output, not in its echo.
            machine.SendLine("cut -d' ' -f1 /proc/modules | sort | tr '\\n' ' '; echo MODULES-$((40+2))");
            machine.WaitForSerial("MODULES-42\n", Timeout);
            var loaded = Regex.Match(machine.SerialOutput, @"(?m)^(.*)MODULES-42$").Groups[1].Value.Split(' ');
            Assert.Contains("virtio_pci", loaded);
            Assert.Contains("virtio_blk", loaded);
            Assert.Contains("virtio_net", loaded);
            Assert.DoesNotContain("ezio-init: starting /bin/eziopxe-client", machine.SerialOutput, StringComparison.Ordinal);

            machine.SendLine("exit");
            machine.WaitForSerial("ezio.init=dry: not starting /bin/eziopxe-client", Timeout);
            Assert.True(machine.WaitForExit(Timeout), "the boot did not continue to the dry run's power-off");
        }
        finally
        {
            Log(machine);
        }
    }

    [Fact]
    public void NicWithoutDhcpServerAndNoDisk_ReportsBothAndDropsToAWorkingShell()
    {
        // lsi53c895a: a SCSI controller no driver in modules.txt claims, to see it reported.
        using var machine = Boot("ezio.dhcp_tries=2 ezio.linkwait=3 ezio.wait=4", "e1000", devices: ["-device", "lsi53c895a"]);
        try
        {
            machine.WaitForSerial("ezio-init: FAILED:", Timeout);
            machine.WaitForSerial(Prompt, Timeout);
            machine.SendLine("echo shell-alive-$((6*7))");
            machine.WaitForSerial("shell-alive-42", Timeout);

            var console = machine.SerialOutput;
            Assert.Contains("no DHCP lease on eth0", console, StringComparison.Ordinal);
            Assert.Contains("no disk found", console, StringComparison.Ordinal);
            Assert.Matches(@"NO DRIVER for storage controller pci \S+ 1000:0012", console);
            Assert.DoesNotContain("ezio-init: starting /bin/eziopxe-client", console, StringComparison.Ordinal);

            // Leaving the rescue shell retries the whole boot; PID 1 never ends.
            machine.SendLine("exit");
            machine.WaitForSerial("shell exited; retrying", Timeout);
            const string failure = "ezio-init: FAILED: no disk found";
            machine.WaitUntil(
                c => Occurrences(c, failure) == 2 && c[c.LastIndexOf(failure, StringComparison.Ordinal)..].Contains(Prompt, StringComparison.Ordinal),
                "a second failure and a new shell", Timeout);

            machine.SendLine("poweroff -f");
            Assert.True(machine.WaitForExit(Timeout), "poweroff -f from the rescue shell did not end the machine");
        }
        finally
        {
            Log(machine);
        }
    }

    [Fact]
    public void WithADhcpServer_TheInitGetsALease_StartsTheClient_AndReportsItsFailure()
    {
        using var lan = VirtualLan.Create("10.213.0.1/24");
        var server = lan.ServerAddress.ToString();
        var guest = lan.Address(50).ToString();
        // The site's DHCP server on the LAN's bridge, with exactly one address to hand out.
        var dnsmasq = lan.Server.Start("dnsmasq",
        [
            "--no-daemon", "--conf-file=/dev/null", "--port=0",
            $"--interface={VirtualLan.BridgeName}", "--bind-interfaces", "--dhcp-authoritative", "--leasefile-ro", "--log-dhcp",
            // No ping before offering: it delays the first OFFER by seconds, and the LAN is ours alone.
            "--no-ping",
            $"--dhcp-range={guest},{guest},255.255.255.0,10m",
            $"--dhcp-option=option:router,{server}",
            $"--dhcp-option=option:dns-server,{server}",
        ]);
        dnsmasq.WaitForOutput($"sockets bound exclusively to interface {VirtualLan.BridgeName}", TimeSpan.FromSeconds(30));
        using var machine = lan.StartMachine(Options($"ezio.server={server} ezio.job=initramfs-test ezio.serverwait=0", "virtio-net-pci", [SparseDisk("virtio.img", 64)]));
        try
        {
            machine.WaitForSerial("ezio-init: starting /bin/eziopxe-client", Timeout);
            output.WriteLine($"QEMU start to client start: {machine.Uptime.TotalSeconds:F1} s");
            // Today's client has no job to do and exits non-zero; the init must say so and stay up.
            machine.WaitForSerial(new Regex(@"FAILED: /bin/eziopxe-client exited with status [1-9]"), Timeout);
            machine.WaitForSerial(Prompt, Timeout);

            var console = machine.SerialOutput;
            Assert.Contains($"net   eth0 {guest}/24 router {server}", console, StringComparison.Ordinal);
            Assert.Matches($@"nic +eth0 +\S+ +virtio_net +link up +{Regex.Escape(guest)}/24 \(dhcp\)", console);
            Assert.Contains($"DHCPACK({VirtualLan.BridgeName}) {guest}", dnsmasq.Output, StringComparison.Ordinal);

            // The address is really configured: the server side of the LAN reaches the machine.
            var ping = lan.Server.Run(TimeSpan.FromSeconds(30), "busybox", "ping", "-c", "1", "-W", "5", guest);
            Assert.True(ping.ExitCode == 0, "ping from the namespace failed: " + ping.StandardOutput + ping.StandardError);

            // The lease is recorded for the client, and udhcpc stays to renew it.
            machine.SendLine("cat /run/eziopxe/network.env; pidof udhcpc >/dev/null && echo renewer-$((1+1))");
            machine.WaitForSerial("renewer-2", Timeout);
            Assert.Contains($"EZIO_NET_DHCP_SERVER='{server}'", machine.SerialOutput, StringComparison.Ordinal);

            machine.SendLine("poweroff -f");
            Assert.True(machine.WaitForExit(Timeout), "poweroff -f from the rescue shell did not end the machine");
        }
        finally
        {
            Log(machine);
            output.WriteLine("--- dnsmasq ---\n" + dnsmasq.Output);
        }
    }

    public void Dispose() => _temp.Dispose();
}
