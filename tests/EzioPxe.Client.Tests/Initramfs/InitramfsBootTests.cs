using System.Text.RegularExpressions;
using EzioPxe.TestSupport;
using Xunit.Abstractions;

namespace EzioPxe.Client.Tests.Initramfs;

/// <summary>
/// Boots the real kernel and initramfs in QEMU (TCG) with virtual disks and NICs and reads the
/// serial console. NICs are either on a QEMU hub with nothing else on it (packets go nowhere) or
/// on a tap device inside a network namespace the test creates (DhcpTestNetwork).
/// </summary>
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

    private static string[] VirtioDisk(string path) => new[] { "-drive", $"file={path},if=virtio,format=raw" };

    private static string[] AhciDisk(string path) => new[]
    {
        "-device", "ahci,id=ahci",
        "-drive", $"id=sata0,file={path},if=none,format=raw",
        "-device", "ide-hd,drive=sata0,bus=ahci.0",
    };

    /// <summary>A NIC whose only peer is an otherwise empty QEMU hub: it has a link, and nothing answers.</summary>
    private static string[] IsolatedNic(string model) => new[] { "-netdev", "hubport,id=n0,hubid=0", "-device", Nic(model) };

    // romfile= leaves out the NIC's iPXE option ROM: we boot with -kernel, and the ROM costs seconds.
    private static string Nic(string model) => $"{model},netdev=n0,romfile=";

    private static int Occurrences(string text, string part) => (text.Length - text.Replace(part, "", StringComparison.Ordinal).Length) / part.Length;

    private void Log(QemuMachine machine) => output.WriteLine(machine.Console);

    [Fact]
    public void VirtioBlkAhciAndE1000_DriversLoad_AndTheSummaryListsTheDisksAndNic()
    {
        var devices = VirtioDisk(SparseDisk("virtio.img", 64))
            .Concat(AhciDisk(SparseDisk("sata.img", 32)))
            .Concat(IsolatedNic("e1000"));
        using var machine = QemuMachine.Boot(image, "ip=off ezio.init=dry", devices);
        try
        {
            machine.WaitFor("ezio.init=dry: not starting /bin/eziopxe-client", Timeout);
            // Dry runs power off, which ends QEMU.
            Assert.True(machine.WaitForExit(Timeout), "the dry run did not power the machine off");
        }
        finally
        {
            Log(machine);
        }

        var console = machine.Console;
        Assert.Matches(@"disk +vda +64 MiB +virtio_blk +pci \S+ virtio-pci", console);
        Assert.Matches(@"disk +sda +32 MiB +sd +QEMU HARDDISK +pci \S+ ahci", console);
        Assert.Matches(@"nic +eth0 +52:54:00:[0-9a-f:]+ +e1000 ", console);
        Assert.Contains("net   disabled by ip=off", console, StringComparison.Ordinal);
        Assert.DoesNotContain("NO DRIVER", console, StringComparison.Ordinal);
        Assert.DoesNotContain("FAILED", console, StringComparison.Ordinal);
        Assert.DoesNotContain("Kernel panic", console, StringComparison.Ordinal);
    }

    [Fact]
    public void StaticIpAndDebugShell_TheShellOpensBeforeTheClient_AndLeavingItContinuesTheBoot()
    {
        var devices = VirtioDisk(SparseDisk("virtio.img", 16)).Concat(IsolatedNic("virtio-net-pci"));
        // The kernel's ip= syntax: client::gateway:netmask:hostname:device:autoconf:dns0.
        const string staticIp = "ip=10.213.9.2::10.213.9.1:255.255.255.0:lab-pc-7:eth0:off:10.213.9.1";
        using var machine = QemuMachine.Boot(image, staticIp + " ezio.init=dry ezio.debug=shell", devices);
        try
        {
            machine.WaitFor("ezio.debug=shell: a shell before the client", Timeout);
            machine.WaitFor(Prompt, Timeout);
            Assert.Matches(@"nic +eth0 +\S+ +virtio_net +link up +10\.213\.9\.2/24 \(static\)", machine.Console);
            Assert.Contains("net   eth0 10.213.9.2/24 router 10.213.9.1 dns 10.213.9.1", machine.Console, StringComparison.Ordinal);
            machine.SendLine("ip route | grep default; hostname; echo ROUTE-$((1+2))");
            machine.WaitFor("ROUTE-3\n", Timeout);
            Assert.Contains("default via 10.213.9.1 dev eth0", machine.Console, StringComparison.Ordinal);
            Assert.Contains("\nlab-pc-7\n", machine.Console, StringComparison.Ordinal);

            // The arithmetic makes the marker appear only in the command's output, not in its echo.
            machine.SendLine("cut -d' ' -f1 /proc/modules | sort | tr '\\n' ' '; echo MODULES-$((40+2))");
            machine.WaitFor("MODULES-42\n", Timeout);
            var loaded = Regex.Match(machine.Console, @"(?m)^(.*)MODULES-42$").Groups[1].Value.Split(' ');
            Assert.Contains("virtio_pci", loaded);
            Assert.Contains("virtio_blk", loaded);
            Assert.Contains("virtio_net", loaded);
            Assert.DoesNotContain("ezio-init: starting /bin/eziopxe-client", machine.Console, StringComparison.Ordinal);

            machine.SendLine("exit");
            machine.WaitFor("ezio.init=dry: not starting /bin/eziopxe-client", Timeout);
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
        var devices = IsolatedNic("e1000").Concat(new[] { "-device", "lsi53c895a" });
        using var machine = QemuMachine.Boot(image, "ezio.dhcp_tries=2 ezio.linkwait=3 ezio.wait=4", devices);
        try
        {
            machine.WaitFor("ezio-init: FAILED:", Timeout);
            machine.WaitFor(Prompt, Timeout);
            machine.SendLine("echo shell-alive-$((6*7))");
            machine.WaitFor("shell-alive-42", Timeout);

            var console = machine.Console;
            Assert.Contains("no DHCP lease on eth0", console, StringComparison.Ordinal);
            Assert.Contains("no disk found", console, StringComparison.Ordinal);
            Assert.Matches(@"NO DRIVER for storage controller pci \S+ 1000:0012", console);
            Assert.DoesNotContain("ezio-init: starting /bin/eziopxe-client", console, StringComparison.Ordinal);

            // Leaving the rescue shell retries the whole boot; PID 1 never ends.
            machine.SendLine("exit");
            machine.WaitFor("shell exited; retrying", Timeout);
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
        using var network = DhcpTestNetwork.Create();
        var devices = VirtioDisk(SparseDisk("virtio.img", 64)).Concat(new[]
        {
            "-netdev", $"tap,id=n0,ifname={DhcpTestNetwork.TapName},script=no,downscript=no",
            "-device", Nic("virtio-net-pci"),
        });
        using var machine = QemuMachine.Boot(image, $"ezio.server={DhcpTestNetwork.ServerAddress} ezio.job=initramfs-test", devices, network.Namespace);
        try
        {
            var clientStarted = machine.WaitFor("ezio-init: starting /bin/eziopxe-client", Timeout);
            output.WriteLine($"QEMU start to client start: {clientStarted.TotalSeconds:F1} s");
            // Today's client has no job to do and exits non-zero; the init must say so and stay up.
            machine.WaitFor(new Regex(@"FAILED: /bin/eziopxe-client exited with status [1-9]"), Timeout);
            machine.WaitFor(Prompt, Timeout);

            var console = machine.Console;
            Assert.Contains($"net   eth0 {DhcpTestNetwork.GuestAddress}/24 router {DhcpTestNetwork.ServerAddress}", console, StringComparison.Ordinal);
            Assert.Matches($@"nic +eth0 +\S+ +virtio_net +link up +{Regex.Escape(DhcpTestNetwork.GuestAddress)}/24 \(dhcp\)", console);
            Assert.Contains($"DHCPACK(br0) {DhcpTestNetwork.GuestAddress}", network.DhcpLog, StringComparison.Ordinal);

            // The address is really configured: the server side of the LAN reaches the machine.
            var ping = network.Ping(DhcpTestNetwork.GuestAddress);
            Assert.True(ping.ExitCode == 0, "ping from the namespace failed: " + ping.StandardOutput + ping.StandardError);

            // The lease is recorded for the client, and udhcpc stays to renew it.
            machine.SendLine("cat /run/eziopxe/network.env; pidof udhcpc >/dev/null && echo renewer-$((1+1))");
            machine.WaitFor("renewer-2", Timeout);
            Assert.Contains($"EZIO_NET_DHCP_SERVER='{DhcpTestNetwork.ServerAddress}'", machine.Console, StringComparison.Ordinal);

            machine.SendLine("poweroff -f");
            Assert.True(machine.WaitForExit(Timeout), "poweroff -f from the rescue shell did not end the machine");
        }
        finally
        {
            Log(machine);
            output.WriteLine("--- dnsmasq ---\n" + network.DhcpLog);
        }
    }

    public void Dispose() => _temp.Dispose();
}
