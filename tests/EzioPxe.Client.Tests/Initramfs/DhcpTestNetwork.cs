using EzioPxe.TestSupport;

namespace EzioPxe.Client.Tests.Initramfs;

/// <summary>
/// A private LAN for one virtual machine: a network namespace of the test's own with a bridge
/// (the "switch", holding the server address), a tap device QEMU plugs into, and dnsmasq serving
/// DHCP on the bridge with exactly one address to hand out. Nothing leaves the namespace;
/// disposing stops dnsmasq and deletes the namespace with everything in it.
/// </summary>
public sealed class DhcpTestNetwork : IDisposable
{
    public const string TapName = "tap0";
    public const string ServerAddress = "10.213.0.1";
    public const string GuestAddress = "10.213.0.50";

    private readonly BackgroundProcess _dnsmasq;

    private DhcpTestNetwork(string name, BackgroundProcess dnsmasq)
    {
        Namespace = name;
        _dnsmasq = dnsmasq;
    }

    public string Namespace { get; }

    /// <summary>What dnsmasq logged (every DHCP message it saw and sent).</summary>
    public string DhcpLog => _dnsmasq.Output;

    public static DhcpTestNetwork Create()
    {
        var name = "ezt-initramfs-" + Guid.NewGuid().ToString("N")[..8];
        Tool.Run("ip", "netns", "add", name).EnsureSuccess("ip netns add");
        try
        {
            Ip(name, "link", "set", "lo", "up");
            Ip(name, "link", "add", "br0", "type", "bridge");
            Ip(name, "tuntap", "add", "dev", TapName, "mode", "tap");
            Ip(name, "link", "set", TapName, "master", "br0");
            Ip(name, "link", "set", TapName, "up");
            Ip(name, "addr", "add", ServerAddress + "/24", "dev", "br0");
            Ip(name, "link", "set", "br0", "up");
            var dnsmasq = BackgroundProcess.Start("ip", new[]
            {
                "netns", "exec", name, "dnsmasq", "--no-daemon", "--conf-file=/dev/null", "--port=0",
                "--interface=br0", "--bind-interfaces", "--dhcp-authoritative", "--leasefile-ro", "--log-dhcp",
                // No ping before offering: it delays the first OFFER by seconds, and the LAN is ours alone.
                "--no-ping",
                $"--dhcp-range={GuestAddress},{GuestAddress},255.255.255.0,10m",
                $"--dhcp-option=option:router,{ServerAddress}",
                $"--dhcp-option=option:dns-server,{ServerAddress}",
            });
            dnsmasq.WaitForOutput("sockets bound exclusively to interface br0", TimeSpan.FromSeconds(30));
            return new DhcpTestNetwork(name, dnsmasq);
        }
        catch
        {
            Tool.Run("ip", "netns", "del", name);
            throw;
        }
    }

    /// <summary>Pings <paramref name="address"/> from the server side of the LAN (busybox ping, one packet).</summary>
    public ToolResult Ping(string address) =>
        Tool.Run("ip", "netns", "exec", Namespace, "busybox", "ping", "-c", "1", "-W", "5", address);

    private static void Ip(string name, params string[] arguments) =>
        Tool.Run("ip", new[] { "-n", name }.Concat(arguments), TimeSpan.FromSeconds(30)).EnsureSuccess("ip " + string.Join(' ', arguments));

    public void Dispose()
    {
        _dnsmasq.Dispose();
        Tool.Run("ip", "netns", "del", Namespace);
    }
}
