using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using EzioPxe.Server.Cli;
using EzioPxe.Server.Service;
using EzioPxe.TestSupport;

namespace EzioPxe.Server.Tests.Service;

/// <summary>
/// Debian's own tftpd-hpa (in.tftpd) and dnsmasq, really running on loopback ports, are found
/// through /proc and named with the command that frees the port; `serve` refuses to start on
/// such a port with that line and exit code 1.
/// </summary>
[Trait("Needs", "root")]
public sealed class PortHolderTests
{
    [Fact]
    public void A_tftpd_hpa_on_the_tftp_port_is_named_with_its_fix()
    {
        using var temp = new TempDirectory("port-holder");
        var port = FreePort.Udp();
        using var tftpd = BackgroundProcess.Start("/usr/sbin/in.tftpd", ["--foreground", "--address", $"127.0.0.1:{port}", "--secure", temp.Path]);
        var line = WaitForHolder(ProtocolType.Udp, port, IPAddress.Any, tftpd);

        Assert.Equal($"UDP {port} is held by in.tftpd (pid {tftpd.ProcessId}): systemctl disable --now tftpd-hpa", line);
        Assert.Equal("tftpd-hpa", PortHolders.Find(ProtocolType.Udp, port, IPAddress.Loopback).Single().Fix["systemctl disable --now ".Length..]);
        // Bound to 127.0.0.1 only: another address, or the other protocol, is free.
        Assert.Empty(PortHolders.Find(ProtocolType.Udp, port, IPAddress.Parse("127.0.0.2")));
        Assert.Null(PortHolders.Describe(ProtocolType.Tcp, port, IPAddress.Any));
    }

    [Fact]
    public void A_dnsmasq_is_named_on_udp_and_on_its_listening_tcp_port()
    {
        var port = FreePort.Tcp();
        using var dnsmasq = BackgroundProcess.Start("dnsmasq",
            ["--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--bind-interfaces", "--listen-address=127.0.0.1",
             $"--port={port}", "--pid-file=", "--user=root"]);
        var udp = WaitForHolder(ProtocolType.Udp, port, IPAddress.Loopback, dnsmasq);
        Assert.Equal($"UDP {port} (DNS) is held by dnsmasq (pid {dnsmasq.ProcessId}): systemctl disable --now dnsmasq",
            PortHolders.Describe(ProtocolType.Udp, port, IPAddress.Loopback, "DNS"));
        Assert.StartsWith($"UDP {port} is held by dnsmasq", udp, StringComparison.Ordinal);
        Assert.Equal(dnsmasq.ProcessId, PortHolders.Find(ProtocolType.Tcp, port, IPAddress.Any).Single().Pid);
    }

    [Fact]
    public void A_free_port_and_our_own_sockets_are_not_reported()
    {
        using var own = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        own.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)own.LocalEndPoint!).Port;
        Assert.Empty(PortHolders.Find(ProtocolType.Udp, port, IPAddress.Any));
        Assert.Null(PortHolders.Describe(ProtocolType.Udp, FreePort.Udp(), IPAddress.Any));
    }

    [Fact]
    public void Proc_net_addresses_are_words_in_host_byte_order()
    {
        Assert.Equal(IPAddress.Loopback, PortHolders.ParseAddress("0100007F"));
        Assert.Equal(IPAddress.Any, PortHolders.ParseAddress("00000000"));
        Assert.Equal(IPAddress.IPv6Loopback, PortHolders.ParseAddress("00000000000000000000000001000000"));
        Assert.Equal(IPAddress.Parse("::ffff:10.0.0.1"), PortHolders.ParseAddress("0000000000000000FFFF00000100000A"));
        Assert.Null(PortHolders.ParseAddress("XYZ"));
    }

    [Fact]
    public void Serve_does_not_start_on_a_port_tftpd_hpa_holds_and_says_how_to_free_it()
    {
        using var temp = new TempDirectory("port-holder");
        Directory.CreateDirectory(temp.File("tftp"));
        Directory.CreateDirectory(temp.File("boot"));
        var tftpPort = FreePort.Udp();
        using var tftpd = BackgroundProcess.Start("/usr/sbin/in.tftpd", ["--foreground", "--address", $"127.0.0.1:{tftpPort}", "--secure", temp.File("tftp")]);
        WaitForHolder(ProtocolType.Udp, tftpPort, IPAddress.Any, tftpd);
        var config = new JsonObject
        {
            ["Server"] = new JsonObject
            {
                ["Address"] = "127.0.0.1", ["HttpPort"] = FreePort.Tcp(), ["PeerPort"] = FreePort.Tcp(),
                ["DataDirectory"] = temp.File("data"), ["BootDirectory"] = temp.File("boot"),
            },
            ["NetBoot"] = new JsonObject
            {
                ["ServerAddress"] = "127.0.0.1", ["TftpRoot"] = temp.File("tftp"), ["TftpPort"] = tftpPort,
            },
        };
        File.WriteAllText(temp.File("eziopxe.json"), config.ToJsonString());
        var error = new StringWriter();

        var exit = ServeCommand.Run(["--config", temp.File("eziopxe.json")], error);

        Assert.Equal(1, exit);
        Assert.Equal(
            $"eziopxe serve: could not start: UDP {tftpPort} (NetBoot:TftpPort, TFTP) is held by in.tftpd (pid {tftpd.ProcessId.ToString(CultureInfo.InvariantCulture)}): systemctl disable --now tftpd-hpa",
            error.ToString().Trim());
    }

    /// <summary>
    /// The daemon binds a moment after it starts: poll until /proc shows it holding the port (or it
    /// died). Until then the port may look held by "another program": a socket of some other
    /// process that happened to take the same number for a moment (the port was free when picked),
    /// or gone before its owner was found. Such a line is returned only if it is still the answer
    /// at the deadline, so that the test's assertion shows it.
    /// </summary>
    private static string WaitForHolder(ProtocolType protocol, int port, IPAddress address, BackgroundProcess daemon)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        string? line = null;
        while (DateTime.UtcNow < deadline && !daemon.HasExited)
        {
            line = PortHolders.Describe(protocol, port, address);
            if (line != null && line.Contains($"(pid {daemon.ProcessId.ToString(CultureInfo.InvariantCulture)})", StringComparison.Ordinal))
            {
                return line;
            }
            Thread.Sleep(50);
        }
        return line ?? throw new InvalidOperationException($"nothing took {protocol} {port}: {daemon.Output}");
    }
}
