using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;

namespace EzioPxe.TestSupport.VirtualLan;

/// <summary>
/// A private Ethernet segment for tests: a bridge "br0" inside a fresh network namespace
/// (<see cref="Server"/>, where the boot server side runs and owns <see cref="ServerAddress"/>),
/// QEMU machines on tap devices of that bridge, and extra hosts (namespaces on veth pairs).
/// Nothing touches the host's own network. Dispose stops every machine and process and deletes
/// every namespace, so it cleans up after failures too (use it with `using`).
/// </summary>
public sealed class VirtualLan : IDisposable
{
    public const string BridgeName = "br0";

    private readonly List<NetworkNamespace> _hostNamespaces = [];
    private readonly List<QemuMachine> _machines = [];
    private readonly TempDirectory _work = new("eziopxe-lan");
    private int _taps;
    private int _hosts;

    private VirtualLan(NetworkNamespace server, IPAddress serverAddress, int prefixLength)
    {
        Server = server;
        ServerAddress = serverAddress;
        PrefixLength = prefixLength;
    }

    /// <summary>The namespace holding the bridge; run the boot server here (it sees "br0").</summary>
    public NetworkNamespace Server { get; }

    public IPAddress ServerAddress { get; }

    public int PrefixLength { get; }

    /// <summary>Scratch directory for serial logs and firmware variable stores; removed on dispose.</summary>
    public string WorkDirectory => _work.Path;

    /// <summary>
    /// Creates the LAN. Every LAN lives in its own namespaces, so the same subnet can be used by
    /// tests running in parallel.
    /// </summary>
    public static VirtualLan Create(string serverAddressWithPrefix = "10.66.0.1/24")
    {
        var parts = serverAddressWithPrefix.Split('/');
        var address = IPAddress.Parse(parts[0]);
        var prefix = int.Parse(parts[1], CultureInfo.InvariantCulture);
        var server = NetworkNamespace.Create();
        try
        {
            server.Ip("link", "add", BridgeName, "type", "bridge");
            server.Ip("addr", "add", serverAddressWithPrefix, "dev", BridgeName);
            server.Ip("link", "set", BridgeName, "up");
            return new VirtualLan(server, address, prefix);
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    /// <summary>Address number <paramref name="host"/> of the LAN's subnet (10.66.0.0/24 and 7 give 10.66.0.7).</summary>
    public IPAddress Address(int host)
    {
        var bytes = ServerAddress.GetAddressBytes();
        var value = (uint)(bytes[0] << 24 | bytes[1] << 16 | bytes[2] << 8 | bytes[3]);
        var mask = PrefixLength == 0 ? 0u : uint.MaxValue << (32 - PrefixLength);
        var result = (value & mask) | (uint)host;
        return new IPAddress([(byte)(result >> 24), (byte)(result >> 16), (byte)(result >> 8), (byte)result]);
    }

    /// <summary>
    /// Adds a host in its own namespace, wired to the bridge by a veth pair ("eth0" inside).
    /// <paramref name="addressWithPrefix"/> (e.g. "10.66.0.2/24") or null to leave it unconfigured for DHCP.
    /// </summary>
    public LanHost AddHost(string? addressWithPrefix = null)
    {
        var ns = NetworkNamespace.Create();
        _hostNamespaces.Add(ns);
        var bridgePort = $"veth{++_hosts}";
        // Both ends are created from inside the server namespace, so no name ever exists in the host's namespace.
        Server.Ip("link", "add", bridgePort, "type", "veth", "peer", "name", "eth0", "netns", ns.Name);
        Server.Ip("link", "set", bridgePort, "master", BridgeName, "up");
        IPAddress? address = null;
        if (addressWithPrefix != null)
        {
            ns.Ip("addr", "add", addressWithPrefix, "dev", "eth0");
            address = IPAddress.Parse(addressWithPrefix.Split('/')[0]);
        }
        ns.Ip("link", "set", "eth0", "up");
        var mac = PhysicalAddress.Parse(ns.Ip("-br", "link", "show", "eth0").StandardOutput.Split(' ', StringSplitOptions.RemoveEmptyEntries)[2].Replace(':', '-').ToUpperInvariant());
        return new LanHost(ns, "eth0", mac, address);
    }

    /// <summary>Adds a tap device on the bridge and returns its name (inside <see cref="Server"/>).</summary>
    public string AddTap()
    {
        var tap = $"tap{++_taps}";
        Server.Ip("tuntap", "add", "dev", tap, "mode", "tap");
        Server.Ip("link", "set", tap, "master", BridgeName, "up");
        return tap;
    }

    /// <summary>Starts a virtual machine on a new tap device of this LAN.</summary>
    public QemuMachine StartMachine(QemuMachineOptions options)
    {
        var machine = QemuMachine.Start(Server, AddTap(), options, WorkDirectory);
        _machines.Add(machine);
        return machine;
    }

    public void Dispose()
    {
        foreach (var machine in _machines)
        {
            machine.Dispose();
        }
        foreach (var ns in _hostNamespaces)
        {
            ns.Dispose();
        }
        Server.Dispose();
        _work.Dispose();
    }
}
