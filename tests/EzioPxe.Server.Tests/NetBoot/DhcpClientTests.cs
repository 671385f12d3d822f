using System.Text.RegularExpressions;
using EzioPxe.TestSupport;
using EzioPxe.TestSupport.VirtualLan;

namespace EzioPxe.Server.Tests.NetBoot;

/// <summary>Real DHCP clients (busybox udhcpc, ISC dhclient) against our full-mode server on a virtual LAN.</summary>
public sealed partial class DhcpClientTests
{
    private static string[] FullModeArguments(string root, string leaseFile) =>
    [
        "--root", root, "--listen", "10.66.0.1", "--dhcp", "full", "--interface", VirtualLan.BridgeName,
        "--server-address", "10.66.0.1", "--range", "10.66.0.100-10.66.0.150", "--lease-file", leaseFile,
        "--bios", "pxelinux.0", "--efi64", "grubnetx64.efi",
    ];

    /// <summary>udhcpc with a no-op script: it must not touch the host's /etc/resolv.conf; we read its log line instead.</summary>
    private static string Udhcpc(LanHost host)
    {
        var result = host.Namespace.Run(TimeSpan.FromSeconds(30), "udhcpc", "-i", host.Interface, "-f", "-q", "-n", "-t", "5", "-T", "1", "-s", "/bin/true");
        result.EnsureSuccess("udhcpc");
        var match = LeaseLine().Match(result.StandardOutput + result.StandardError);
        Assert.True(match.Success, "udhcpc printed no lease:\n" + result.StandardOutput + result.StandardError);
        Assert.Equal("10.66.0.1", match.Groups[2].Value);
        return match.Groups[1].Value;
    }

    [Fact]
    public void Udhcpc_gets_addresses_from_the_range_and_keeps_them_across_a_server_restart()
    {
        using var directory = new TempDirectory();
        Directory.CreateDirectory(directory.File("root"));
        var leases = directory.File("leases");
        using var lan = VirtualLan.Create();
        var first = lan.AddHost();
        var second = lan.AddHost();

        string firstAddress;
        using (NetBootServerProcess.Start(lan.Server, FullModeArguments(directory.File("root"), leases)))
        {
            firstAddress = Udhcpc(first);
        }
        Assert.Equal("10.66.0.100", firstAddress);
        Assert.Contains($"{EzioPxe.Server.NetBoot.MacAddressText.Hyphenated(first.Mac)} 10.66.0.100 ", File.ReadAllText(leases), StringComparison.Ordinal);

        using (NetBootServerProcess.Start(lan.Server, FullModeArguments(directory.File("root"), leases)))
        {
            // After the restart a newcomer must not be given the first machine's address ...
            Assert.Equal("10.66.0.101", Udhcpc(second));
            // ... and the first machine gets its own back.
            Assert.Equal(firstAddress, Udhcpc(first));
        }
    }

    [Fact]
    public void Dhclient_gets_an_address_and_the_server_answers_by_broadcast_on_the_bridge_only()
    {
        using var directory = new TempDirectory();
        Directory.CreateDirectory(directory.File("root"));
        using var lan = VirtualLan.Create();
        var host = lan.AddHost();
        using var server = NetBootServerProcess.Start(lan.Server, FullModeArguments(directory.File("root"), directory.File("leases")));
        // -sf /bin/true: dhclient must not reconfigure anything; -lf/-pf keep its files in our directory.
        var result = host.Namespace.Run(TimeSpan.FromSeconds(60), "dhclient", "-1", "-v", "-sf", "/bin/true",
            "-lf", directory.File("dhclient.leases"), "-pf", directory.File("dhclient.pid"), host.Interface);
        result.EnsureSuccess("dhclient");
        Assert.Contains("DHCPACK of 10.66.0.100 from 10.66.0.1", result.StandardError, StringComparison.Ordinal);
        var leaseText = File.ReadAllText(directory.File("dhclient.leases"));
        Assert.Contains("fixed-address 10.66.0.100;", leaseText, StringComparison.Ordinal);
        Assert.Contains("option dhcp-server-identifier 10.66.0.1;", leaseText, StringComparison.Ordinal);
        Assert.Contains("DHCP: 10.66.0.100 leased to", server.Output, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"lease of ([0-9.]+) obtained from ([0-9.]+)")]
    private static partial Regex LeaseLine();
}
