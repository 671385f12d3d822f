using System.Text.RegularExpressions;
using EzioPxe.TestSupport;
using EzioPxe.TestSupport.VirtualLan;

namespace EzioPxe.Server.Tests.NetBoot;

/// <summary>Real DHCP clients (busybox udhcpc, ISC dhclient) against our full-mode server on a virtual LAN.</summary>
[Trait("Needs", "root")]
public sealed partial class DhcpClientTests
{
    private static string[] FullModeArguments(string root, string leaseFile) =>
        new NetBootArguments(root, "full") { LeaseFile = leaseFile, Bios = "pxelinux.0", Efi = "grubnetx64.efi" }.ToArray();

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

    [Fact]
    public void Garbage_truncated_and_oversized_packets_on_ports_67_and_4011_do_not_stop_the_server()
    {
        using var directory = new TempDirectory();
        Directory.CreateDirectory(directory.File("root"));
        using var lan = VirtualLan.Create();
        var attacker = lan.AddHost("10.66.0.3/24");
        var client = lan.AddHost();
        using var server = NetBootServerProcess.Start(lan.Server, FullModeArguments(directory.File("root"), directory.File("leases")));
        // A real DISCOVER header (op 1, Ethernet, cookie), then cut short, padded far past any MTU,
        // filled with random options or random bytes; broadcast to 67 and unicast to 4011.
        const string sender = """
            import os, random, socket
            random.seed(5)
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, b"eth0")
            header = bytes([1, 1, 6, 0]) + os.urandom(4) + bytes(20) + bytes.fromhex("020000000001") + bytes(202) + bytes([99, 130, 83, 99])
            for i in range(400):
                kind = i % 4
                if kind == 0: packet = header[:random.randrange(len(header))]
                elif kind == 1: packet = header + bytes([53, 1, 1]) + bytes([224, 255]) + os.urandom(random.randrange(1000, 9000))
                elif kind == 2: packet = header + bytes(random.randrange(256) for _ in range(random.randrange(300)))
                else: packet = os.urandom(random.randrange(1, 1500))
                s.sendto(packet, ("255.255.255.255" if i % 2 else "10.66.0.1", 67 if i % 3 else 4011))
            print("sent")
            """;
        attacker.Namespace.Run(TimeSpan.FromSeconds(30), "/usr/bin/python3", "-c", sender).EnsureSuccess("garbage sender");
        // Some of the padded packets are still valid DISCOVERs and got an offer, so the client's
        // address is not necessarily the first of the range.
        var address = System.Net.IPAddress.Parse(Udhcpc(client)).GetAddressBytes();
        Assert.InRange(address[3], 100, 150);
        Assert.False(server.HasExited, "the server died:\n" + server.Output);
    }

    [GeneratedRegex(@"lease of ([0-9.]+) obtained from ([0-9.]+)")]
    private static partial Regex LeaseLine();
}
