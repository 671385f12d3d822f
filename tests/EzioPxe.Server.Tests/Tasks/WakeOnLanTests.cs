using System.Globalization;
using System.Text.Json.Nodes;
using EzioPxe.Contracts.Machines;
using EzioPxe.Server.Tests.Http;
using EzioPxe.Server.Tests.Seeding;
using EzioPxe.Server.WakeOnLan;
using EzioPxe.TestSupport;
using EzioPxe.TestSupport.VirtualLan;

namespace EzioPxe.Server.Tests.Tasks;

/// <summary>
/// `eziopxe wake`: the real `eziopxe serve` process inside a virtual LAN's namespace sends the
/// magic packets; a host on the room's bridge receives them, a host on a second network (where
/// the namespace's default route points) must not.
/// </summary>
public sealed class WakeOnLanTests
{
    // Receives UDP port 9 for 20 s and prints each datagram as hex, one line each.
    private const string Receiver =
        "import socket\n" +
        "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n" +
        "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n" +
        "s.bind(('0.0.0.0', 9))\n" +
        "s.settimeout(20)\n" +
        "print('listening', flush=True)\n" +
        "try:\n" +
        "    while True:\n" +
        "        data, sender = s.recvfrom(2048)\n" +
        "        print('packet', sender[0], data.hex(), flush=True)\n" +
        "except socket.timeout:\n" +
        "    pass\n";

    [Fact]
    public void A_magic_packet_is_six_ff_bytes_and_the_mac_sixteen_times()
    {
        Assert.True(MacAddress.TryParse("52:54:00:5a:00:01", out var mac));
        var packet = MagicPacket.For(mac);
        Assert.Equal(102, packet.Length);
        Assert.Equal("ffffffffffff" + string.Concat(Enumerable.Repeat("5254005a0001", 16)), Convert.ToHexStringLower(packet));
    }

    [Fact]
    [Trait("Needs", "root")]
    public void Wake_sends_magic_packets_for_the_rooms_listed_machines_on_the_deployment_interface_only()
    {
        using var temp = new TempDirectory("wake");
        using var lan = VirtualLan.Create("10.68.0.1/24");
        using var elsewhere = NetworkNamespace.Create();
        // A second network beside the room, holding the namespace's default route: without
        // SO_BINDTODEVICE the broadcast would leave there.
        lan.Server.Ip("link", "add", "other0", "type", "veth", "peer", "name", "eth0", "netns", elsewhere.Name);
        lan.Server.Ip("addr", "add", "10.69.0.1/24", "dev", "other0");
        lan.Server.Ip("link", "set", "other0", "up");
        elsewhere.Ip("addr", "add", "10.69.0.2/24", "dev", "eth0");
        elsewhere.Ip("link", "set", "eth0", "up");
        lan.Server.Ip("route", "add", "default", "via", "10.69.0.2");
        var roomHost = lan.AddHost("10.68.0.50/24");

        var image = TestImage.Create(temp.File("lab.img"), seed: 11, dataBytes: 1L << 20);
        Directory.CreateDirectory(temp.File("boot"));
        var port = FreePort.Tcp();
        var config = RunningServer.Config(temp.File("data"), image, c =>
        {
            c["Server"]!["Address"] = "10.68.0.1";
            c["Server"]!["HttpPort"] = port;
            c["Server"]!["BootDirectory"] = temp.File("boot");
            c["Jobs"]!["exam"] = new JsonObject { ["Image"] = "lab" };
            c["Machines"] = new JsonArray
            {
                new JsonObject { ["Mac"] = "52:54:00:5a:00:01", ["Job"] = "lab" },
                new JsonObject { ["Mac"] = "52:54:00:5a:00:02", ["Job"] = "lab" },
                new JsonObject { ["Mac"] = "52:54:00:5a:00:03", ["Job"] = "exam" },
            };
            c["NetBoot"] = new JsonObject { ["Dhcp"] = "off", ["Tftp"] = false, ["Interface"] = VirtualLan.BridgeName };
        });
        File.WriteAllText(temp.File("eziopxe.json"), config.ToJsonString());
        var dll = ServerDll();
        var server = lan.Server.Start("dotnet", [dll, "serve", "--config", temp.File("eziopxe.json")]);
        var url = $"http://10.68.0.1:{port.ToString(CultureInfo.InvariantCulture)}";
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (lan.Server.Run(TimeSpan.FromSeconds(5), "curl", "-sf", "-o", "/dev/null", url + "/status").ExitCode != 0)
        {
            Assert.True(DateTime.UtcNow < deadline && !server.HasExited, "eziopxe serve did not answer:\n" + server.Output);
            Thread.Sleep(300);
        }

        var inRoom = roomHost.Namespace.Start("python3", ["-c", Receiver]);
        var outside = elsewhere.Start("python3", ["-c", Receiver]);
        inRoom.WaitForOutput("listening", TimeSpan.FromSeconds(10));
        outside.WaitForOutput("listening", TimeSpan.FromSeconds(10));

        var wake = lan.Server.Run(TimeSpan.FromSeconds(60), "dotnet", dll, "wake", "--job", "lab", "--server", url);
        Assert.True(wake.ExitCode == 0, wake.StandardError + wake.StandardOutput);
        Assert.Contains("magic packets sent to 2 machine(s) (UDP broadcast, port 9, br0): 52:54:00:5a:00:01, 52:54:00:5a:00:02", wake.StandardOutput, StringComparison.Ordinal);

        string Expected(string mac) => "ffffffffffff" + string.Concat(Enumerable.Repeat(mac.Replace(":", "", StringComparison.Ordinal), 16));
        var waitUntil = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < waitUntil && !(inRoom.Output.Contains(Expected("52:54:00:5a:00:01"), StringComparison.Ordinal) && inRoom.Output.Contains(Expected("52:54:00:5a:00:02"), StringComparison.Ordinal)))
        {
            Thread.Sleep(100);
        }
        var received = inRoom.Output.Split('\n').Where(l => l.StartsWith("packet ", StringComparison.Ordinal)).ToList();
        Assert.Contains(received, l => l == $"packet 10.68.0.1 {Expected("52:54:00:5a:00:01")}");
        Assert.Contains(received, l => l == $"packet 10.68.0.1 {Expected("52:54:00:5a:00:02")}");
        // Only the job's machines: not the exam machine.
        Assert.DoesNotContain(received, l => l.Contains(Expected("52:54:00:5a:00:03"), StringComparison.Ordinal));
        // Explicit MACs work too, and nothing ever reached the other network.
        var one = lan.Server.Run(TimeSpan.FromSeconds(60), "dotnet", dll, "wake", "--machines", "52:54:00:5a:00:03", "--server", url);
        Assert.True(one.ExitCode == 0, one.StandardError);
        inRoom.WaitForOutput(Expected("52:54:00:5a:00:03"), TimeSpan.FromSeconds(10));
        Assert.DoesNotContain("packet", outside.Output, StringComparison.Ordinal);

        var bad = lan.Server.Run(TimeSpan.FromSeconds(60), "dotnet", dll, "wake", "--machines", "any", "--server", url);
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("'any' cannot be woken", bad.StandardError, StringComparison.Ordinal);
    }

    /// <summary>The eziopxe.dll of the configuration this test assembly was built in.</summary>
    internal static string ServerDll()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/')).Parent!.Name;
        var dll = RepositoryPaths.Of($"server/bin/{configuration}/net10.0/eziopxe.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing");
        return dll;
    }
}
