using System.Net;
using System.Net.NetworkInformation;

namespace EzioPxe.TestSupport.VirtualLan;

/// <summary>
/// A computer on the virtual LAN simulated by a namespace of its own, wired to the bridge by a veth
/// pair: its end is <see cref="Interface"/> inside <see cref="Namespace"/>. Used for DHCP clients
/// (udhcpc, dhclient) and for "the site's own DHCP server" (dnsmasq).
/// </summary>
public sealed class LanHost
{
    internal LanHost(NetworkNamespace ns, string interfaceName, PhysicalAddress mac, IPAddress? address)
    {
        Namespace = ns;
        Interface = interfaceName;
        Mac = mac;
        Address = address;
    }

    public NetworkNamespace Namespace { get; }

    public string Interface { get; }

    public PhysicalAddress Mac { get; }

    /// <summary>The static address given at creation; null for a host that gets one by DHCP.</summary>
    public IPAddress? Address { get; }
}
